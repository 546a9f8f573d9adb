import { join } from 'node:path';
import type { AbortRequest, ApprovalWait, ControlStore } from './control.js';
import { readJson, removeFile, writeJsonAtomic } from './files.js';
import { environmentDir } from './local-store.js';

/** ControlStore in $ML_ROLLOUT_HOME/envs/<environment>/{abort,approval}.json (atomic writes). */
export class LocalControlStore implements ControlStore {
  constructor(private readonly home: string) {}

  private file(environment: string, name: 'abort' | 'approval'): string {
    return join(environmentDir(this.home, environment), `${name}.json`);
  }

  getAbort(environment: string): Promise<AbortRequest | null> {
    return readJson<AbortRequest>(this.file(environment, 'abort'));
  }

  putAbort(request: AbortRequest): Promise<void> {
    return writeJsonAtomic(this.file(request.environment, 'abort'), request);
  }

  getApproval(environment: string): Promise<ApprovalWait | null> {
    return readJson<ApprovalWait>(this.file(environment, 'approval'));
  }

  putApproval(wait: ApprovalWait): Promise<void> {
    return writeJsonAtomic(this.file(wait.environment, 'approval'), wait);
  }

  async clearApproval(environment: string, rolloutId: string): Promise<void> {
    if ((await this.getApproval(environment))?.rolloutId === rolloutId) await removeFile(this.file(environment, 'approval'));
  }

  async clear(environment: string, rolloutId: string): Promise<void> {
    await this.clearApproval(environment, rolloutId);
    if ((await this.getAbort(environment))?.rolloutId === rolloutId) await removeFile(this.file(environment, 'abort'));
  }
}
