import { isoAt } from '../clock.js';
import { localOwner } from '../state/local-lock.js';
import { longestRolloutSeconds } from '../plan/plan.js';
import type { Runtime } from '../runtime.js';
import { newRecord } from './record.js';
import type { PlannedState } from './state.js';

/**
 * Who holds the lock: on Lambda the execution (its name is the rollout id), locally this
 * process, whose death on this host makes the lock stale.
 */
function lockOwner(state: PlannedState): string {
  return process.env.AWS_LAMBDA_FUNCTION_NAME ? `execution:${state.rolloutId}` : localOwner();
}

/** AcquireLock: one rollout per environment. LockHeldError names the holder. */
export async function acquireLock(rt: Runtime, state: PlannedState, owner: string = lockOwner(state)): Promise<{ expiresAt: string }> {
  const { plan } = state;
  const now = rt.clock.now();
  const expiresAt = new Date(now + longestRolloutSeconds(plan) * 1000).toISOString();
  await rt.locks.acquire({
    environment: plan.environment,
    rolloutId: state.rolloutId,
    version: plan.version,
    since: new Date(now).toISOString(),
    expiresAt,
    owner,
  });
  if (!(await rt.state.getRollout(plan.environment, state.rolloutId))) {
    await rt.state.putRollout(newRecord(state.rolloutId, plan, isoAt(rt.clock)));
  }
  return { expiresAt };
}

/** ReleaseLock: idempotent; releasing a lock we no longer hold is not an error. */
export async function releaseLock(rt: Runtime, state: PlannedState): Promise<void> {
  await rt.locks.release(state.plan.environment, state.rolloutId);
}
