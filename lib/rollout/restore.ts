import { isoAt } from '../clock.js';
import { describeError, RollbackFailedError } from '../errors.js';
import { DEFAULTS } from '../plan/defaults.js';
import type { Plan } from '../plan/plan.js';
import { PhaseStatus, RolloutStatus, type Release, type RolloutRecord } from '../state/types.js';
import type { Runtime } from '../runtime.js';
import { ProbeState } from '../targets/types.js';
import { keepLease } from './lease.js';
import { updateRecord } from './record.js';
import type { PlannedState } from './state.js';

/** The release a rollback puts back: the snapshot's (null on a first deployment). */
function restoreTarget(state: PlannedState): Release | null {
  return state.snapshot?.previous ?? null;
}

/**
 * Writes what a rollback did, after it did it: a record that cannot be written (a full disk, a
 * record of the wrong shape) must never stop the rollback. Returns why it could not, or null;
 * the reason also goes to stderr (the engine's log), where the outcome is still told.
 */
async function recordAfter(rt: Runtime, plan: Plan, id: string, what: string, change: (r: RolloutRecord) => void): Promise<string | null> {
  try {
    await updateRecord(rt, plan, id, change);
    return null;
  } catch (err) {
    const line = `could not write the rollout record (${what}): ${describeError(err)}`;
    process.stderr.write(`ml-rollout: ${id}: ${line}\n`);
    return line;
  }
}

/**
 * RestoreSnapshot: put the known-good release back, then record why (the caught error, when the
 * failing task did not record it itself) and mark the phases that will not run as skipped.
 * Restoring comes first: what serves matters more than what is written about it.
 */
export async function restoreSnapshot(
  rt: Runtime,
  state: PlannedState,
): Promise<{ restoredVersion: string | null; startedAt: number; deadlineAt: number; unrecorded?: string }> {
  const { plan } = state;
  const release = restoreTarget(state);
  const index = state.cursor?.index ?? -1;
  const failedPhase = plan.phases[index]?.name ?? null;
  const deployment = await rt.target(plan.target).restore(plan, release);
  const problems: string[] = [];
  try {
    if (release && deployment) {
      await rt.state.putServing({
        environment: plan.environment,
        targetType: plan.target.type,
        version: release.version,
        digest: release.digest,
        url: deployment.url,
        phase: null,
        updatedAt: isoAt(rt.clock),
      });
    } else {
      await rt.state.clearServing(plan.environment);
    }
  } catch (err) {
    problems.push(`could not write serving.json: ${describeError(err)}`);
    process.stderr.write(`ml-rollout: ${state.rolloutId}: ${problems[0]}\n`);
  }
  const unrecorded = await recordAfter(rt, plan, state.rolloutId, 'rollback started', (r) => {
    if (state.error) r.failure ??= { phase: failedPhase, error: state.error.Error, message: state.error.Cause };
    r.phases.forEach((p, i) => {
      if (p.status === PhaseStatus.Running) Object.assign(p, { status: PhaseStatus.Failed, error: state.error?.Cause });
      else if (p.status === PhaseStatus.Pending && i >= index) p.status = PhaseStatus.Skipped;
    });
    r.rollback = { performed: true, restoredVersion: release?.version ?? null, verified: false };
  });
  if (unrecorded) problems.push(unrecorded);
  const now = rt.clock.now();
  return {
    restoredVersion: release?.version ?? null,
    startedAt: now,
    deadlineAt: now + DEFAULTS.rollbackDeadlineSeconds[plan.target.type] * 1000,
    ...(problems.length ? { unrecorded: problems.join('; ') } : {}),
  };
}

/**
 * VerifyRestore: is the restored version healthy? RollbackFailed when it fails or runs out of
 * time. Keeps the lock's lease. The verdict is the probe's; writing it down may fail.
 */
export async function verifyRestore(rt: Runtime, state: PlannedState): Promise<{ stable: boolean; detail: string; unrecorded?: string }> {
  const { plan } = state;
  await keepLease(rt, state).catch((err: unknown) => {
    process.stderr.write(`ml-rollout: ${state.rolloutId}: could not renew the lock: ${describeError(err)}\n`);
  });
  const release = restoreTarget(state);
  const probe = await rt.target(plan.target).probeRestored(plan, release);
  const what = release ? `version ${release.version}` : 'the stopped environment';
  if (probe.state === ProbeState.Stable) {
    const unrecorded = await recordAfter(rt, plan, state.rolloutId, 'rollback verified', (r) => {
      r.rollback.verified = true;
      r.rollback.performed = true;
      r.rollback.restoredVersion ??= release?.version ?? null;
      r.status = RolloutStatus.RolledBack;
      r.finishedAt = isoAt(rt.clock);
    });
    return { stable: true, detail: probe.detail, ...(unrecorded ? { unrecorded } : {}) };
  }
  const outOfTime = rt.clock.now() > (state.restore?.deadlineAt ?? 0);
  if (probe.state === ProbeState.Pending && !outOfTime) return { stable: false, detail: probe.detail };
  const message = `rollback to ${what} failed: ${probe.detail}`;
  await recordAfter(rt, plan, state.rolloutId, 'rollback failed', (r) => {
    r.rollback.error = message;
    r.status = RolloutStatus.Failed;
    r.finishedAt = isoAt(rt.clock);
  });
  throw new RollbackFailedError(message);
}
