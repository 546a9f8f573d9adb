import { isoAt, type Clock } from '../clock.js';
import { StateFileInvalidError } from '../errors.js';
import type { Plan } from '../plan/plan.js';
import { PhaseStatus, RolloutStatus, type RolloutRecord, type StateStore } from '../state/types.js';

/** A new record: every phase pending. */
export function newRecord(id: string, plan: Plan, startedAt: string): RolloutRecord {
  return {
    id,
    environment: plan.environment,
    name: plan.name,
    version: plan.version,
    digest: plan.digest,
    previousVersion: null,
    status: RolloutStatus.Running,
    phases: plan.phases.map((p) => ({ name: p.name, status: PhaseStatus.Pending, checks: [] })),
    rollback: { performed: false, restoredVersion: null, verified: false },
    failure: null,
    startedAt,
    finishedAt: null,
  };
}

/**
 * Reads, changes and writes a rollout's record (one rollout writes its record at a time: it holds
 * the lock). A record that is not there yet starts now, by the runtime's clock; so does one that
 * is not a valid record (garbage written over it): it is replaced rather than wedging the rollout,
 * and the engine's stderr says so.
 */
export async function updateRecord(
  rt: { state: StateStore; clock: Clock },
  plan: Plan,
  id: string,
  change: (r: RolloutRecord) => void,
): Promise<RolloutRecord> {
  const store = rt.state;
  const found = await store.getRollout(plan.environment, id).catch((err: unknown) => {
    if (!(err instanceof StateFileInvalidError)) throw err;
    process.stderr.write(`ml-rollout: ${id}: ${err.message}; it is written anew\n`);
    return null;
  });
  const record = found ?? newRecord(id, plan, isoAt(rt.clock));
  change(record);
  await store.putRollout(record);
  return record;
}
