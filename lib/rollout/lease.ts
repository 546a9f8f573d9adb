import { longestRolloutSeconds, type Plan } from '../plan/plan.js';
import { logger } from '../observability/logger.js';
import type { Runtime } from '../runtime.js';
import type { PlannedState } from './state.js';

/** ms a lease runs: the longest the rollout can take (every phase's deadline and bake, a rollback, the margin). */
export function leaseMs(plan: Plan): number {
  return longestRolloutSeconds(plan) * 1000;
}

/** Closed vocabulary of what {@link keepLease} did. */
export const LeaseStatus = {
  /** Less than half of the lease has passed: nothing to do. */
  Current: 'current',
  /** More than half had passed: the lease runs a full length again from now. */
  Renewed: 'renewed',
  /** The lock is gone or another rollout holds it (it was cleared, or taken over once the lease ran out). */
  Lost: 'lost',
} as const;
export type LeaseStatus = (typeof LeaseStatus)[keyof typeof LeaseStatus];

/** Whether a lease is due for renewal, with the values it was decided on. */
export interface LeaseVerdict {
  due: boolean;
  /** epoch ms the lease ends */
  expiresAt: number;
  /** epoch ms from which it is renewed: half of the lease before its end */
  renewFrom: number;
  /** ms the lease runs */
  leaseMs: number;
}

/** Due once more than half of the lease has passed, i.e. less than half of it is left. */
export function leaseVerdict(expiresAt: number, lease: number, now: number): LeaseVerdict {
  const renewFrom = expiresAt - lease / 2;
  return { due: !(now < renewFrom), expiresAt, renewFrom, leaseMs: lease };
}

/**
 * Keeps the rollout's lock while it runs past half of its lease: called by the tasks that run
 * again and again while a rollout waits (CheckStable, SampleGate, VerifyRestore), so the flow in
 * the state machine is unchanged. No I/O while the lease AcquireLock wrote at $.lock is in its
 * first half; after that one read of the lock per call, and a write when the stored lease (which
 * a renewal moved on) is in its second half too. A lost lock is logged, not thrown: neither
 * carrying on nor restoring is safe once another rollout holds the environment, and restoring
 * would undo that rollout's work.
 */
export async function keepLease(rt: Runtime, state: PlannedState): Promise<{ status: LeaseStatus; expiresAt: string | null }> {
  const { plan, rolloutId } = state;
  const lease = leaseMs(plan);
  const now = rt.clock.now();
  const taken = state.lock?.expiresAt;
  if (!taken) return { status: LeaseStatus.Current, expiresAt: null }; // no lock taken in this run (not after AcquireLock)
  if (!leaseVerdict(Date.parse(taken), lease, now).due) return { status: LeaseStatus.Current, expiresAt: taken };
  const held = await rt.locks.get(plan.environment);
  if (held?.rolloutId === rolloutId && !leaseVerdict(Date.parse(held.expiresAt), lease, now).due) {
    return { status: LeaseStatus.Current, expiresAt: held.expiresAt };
  }
  const expiresAt = new Date(now + lease).toISOString();
  if (held?.rolloutId === rolloutId && (await rt.locks.renew(plan.environment, rolloutId, expiresAt))) {
    return { status: LeaseStatus.Renewed, expiresAt };
  }
  logger.warn('the lock of this rollout is gone or held by another rollout; not renewed', {
    environment: plan.environment,
    holder: held?.rolloutId ?? null,
  });
  return { status: LeaseStatus.Lost, expiresAt: null };
}
