import type { S3Client } from '@aws-sdk/client-s3';
import type { AbortRequest, ApprovalWait, ControlStore } from './control.js';
import { asRolloutError, isNotFound, S3Json, StateKeys, type S3Location } from './s3-store.js';

/** ControlStore on S3: <prefix><environment>/abort.json and approval.json, beside lock.json. */
export class S3ControlStore implements ControlStore {
  private readonly json: S3Json;
  private readonly keys: StateKeys;

  constructor(client: S3Client, location: S3Location) {
    this.json = new S3Json(client, location.bucket);
    this.keys = new StateKeys(location.prefix);
  }

  private key(environment: string, name: 'abort' | 'approval'): string {
    return `${this.keys.environment(environment)}/${name}.json`;
  }

  private async remove(key: string): Promise<void> {
    try {
      await this.json.remove(key);
    } catch (err) {
      if (!isNotFound(err)) throw asRolloutError(err, `delete s3://${this.json.bucket}/${key}`);
    }
  }

  getAbort(environment: string): Promise<AbortRequest | null> {
    return this.json.readJson<AbortRequest>(this.key(environment, 'abort'));
  }

  putAbort(request: AbortRequest): Promise<void> {
    return this.json.writeJson(this.key(request.environment, 'abort'), request);
  }

  getApproval(environment: string): Promise<ApprovalWait | null> {
    return this.json.readJson<ApprovalWait>(this.key(environment, 'approval'));
  }

  putApproval(wait: ApprovalWait): Promise<void> {
    return this.json.writeJson(this.key(wait.environment, 'approval'), wait);
  }

  async clearApproval(environment: string, rolloutId: string): Promise<void> {
    if ((await this.getApproval(environment))?.rolloutId === rolloutId) await this.remove(this.key(environment, 'approval'));
  }

  async clear(environment: string, rolloutId: string): Promise<void> {
    await this.clearApproval(environment, rolloutId);
    if ((await this.getAbort(environment))?.rolloutId === rolloutId) await this.remove(this.key(environment, 'abort'));
  }
}
