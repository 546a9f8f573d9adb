import { isoAt } from '../clock.js';
import { StateFileInvalidError } from '../errors.js';
import { logger } from '../observability/logger.js';
import type { Runtime } from '../runtime.js';
import { newRecord } from './record.js';
import type { PlannedState } from './state.js';
import { leaseMs } from './lease.js';

/**
 * AcquireLock: one rollout per environment, for a lease as long as the longest the rollout can
 * take (CheckStable, SampleGate and VerifyRestore renew it: lib/rollout/lease.ts). LockHeldError
 * names the holder.
 */
export async function acquireLock(rt: Runtime, state: PlannedState): Promise<{ expiresAt: string }> {
  const { plan } = state;
  const now = rt.clock.now();
  const owner = rt.lockOwner(state.rolloutId);
  const expiresAt = new Date(now + leaseMs(plan)).toISOString();
  await rt.locks.acquire({
    environment: plan.environment,
    rolloutId: state.rolloutId,
    version: plan.version,
    since: new Date(now).toISOString(),
    expiresAt,
    owner,
  });
  try {
    const found = await rt.state.getRollout(plan.environment, state.rolloutId).catch((err: unknown) => {
      if (err instanceof StateFileInvalidError) return null; // written anew just below
      throw err;
    });
    if (!found) await rt.state.putRollout(newRecord(state.rolloutId, plan, isoAt(rt.clock)));
  } catch (err) {
    // Nothing was changed yet: a rollout that cannot even start its record (a full disk) gives
    // the lock back rather than leave it to its lease (AcquireLock's Catch skips ReleaseLock).
    await rt.locks.release(plan.environment, state.rolloutId).catch(() => undefined);
    throw err;
  }
  return { expiresAt };
}

/** ReleaseLock: idempotent; releasing a lock we no longer hold is not an error. */
export async function releaseLock(rt: Runtime, state: PlannedState): Promise<void> {
  await rt.locks.release(state.plan.environment, state.rolloutId);
  // The rollout's abort and approval requests end with it (an abort after its last check, a pause
  // that timed out). They name this rollout only, so one left behind never touches the next.
  await rt.control.clear(state.plan.environment, state.rolloutId).catch((err: Error) => {
    logger.warn('abort/approval requests not cleared', { error: err.message });
  });
}
