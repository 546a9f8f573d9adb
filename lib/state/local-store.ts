import { join } from 'node:path';
import type { KnownGood, RolloutRecord, Serving, StateStore } from './types.js';
import { readState, removeFile, writeJsonAtomic } from './files.js';

/** Directory of one environment's state under the state home. */
export function environmentDir(home: string, environment: string): string {
  return join(home, 'envs', environment);
}

/**
 * StateStore in files under $ML_ROLLOUT_HOME/envs/<environment>/. Every file is read through its
 * schema: one that is not valid throws StateFileInvalidError naming it.
 */
export class LocalStateStore implements StateStore {
  constructor(private readonly home: string) {}

  private file(environment: string, ...parts: string[]): string {
    return join(environmentDir(this.home, environment), ...parts);
  }

  getKnownGood(environment: string): Promise<KnownGood | null> {
    return readState<KnownGood>(this.file(environment, 'known-good.json'), 'knownGood');
  }

  putKnownGood(knownGood: KnownGood): Promise<void> {
    return writeJsonAtomic(this.file(knownGood.environment, 'known-good.json'), knownGood);
  }

  getServing(environment: string): Promise<Serving | null> {
    return readState<Serving>(this.file(environment, 'serving.json'), 'serving');
  }

  putServing(serving: Serving): Promise<void> {
    return writeJsonAtomic(this.file(serving.environment, 'serving.json'), serving);
  }

  clearServing(environment: string): Promise<void> {
    return removeFile(this.file(environment, 'serving.json'));
  }

  getRollout(environment: string, id: string): Promise<RolloutRecord | null> {
    return readState<RolloutRecord>(this.file(environment, 'rollouts', `${id}.json`), 'rolloutRecord');
  }

  putRollout(record: RolloutRecord): Promise<void> {
    return writeJsonAtomic(this.file(record.environment, 'rollouts', `${record.id}.json`), record);
  }
}
