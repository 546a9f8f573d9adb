import { isoAt } from '../clock.js';
import { RollbackFailedError } from '../errors.js';
import { DEFAULTS } from '../plan/defaults.js';
import { PhaseStatus, RolloutStatus, type Release } from '../state/types.js';
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
 * RestoreSnapshot: put the known-good release back. Records why (the caught error, when the
 * failing task did not record it itself) and marks the phases that will not run as skipped.
 */
export async function restoreSnapshot(
  rt: Runtime,
  state: PlannedState,
): Promise<{ restoredVersion: string | null; startedAt: number; deadlineAt: number }> {
  const { plan } = state;
  const release = restoreTarget(state);
  const index = state.cursor?.index ?? -1;
  const failedPhase = plan.phases[index]?.name ?? null;
  await updateRecord(rt, plan, state.rolloutId, (r) => {
    if (state.error) r.failure ??= { phase: failedPhase, error: state.error.Error, message: state.error.Cause };
    r.phases.forEach((p, i) => {
      if (p.status === PhaseStatus.Running) Object.assign(p, { status: PhaseStatus.Failed, error: state.error?.Cause });
      else if (p.status === PhaseStatus.Pending && i >= index) p.status = PhaseStatus.Skipped;
    });
    r.rollback = { performed: true, restoredVersion: release?.version ?? null, verified: false };
  });
  const deployment = await rt.target(plan.target).restore(plan, release);
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
  const now = rt.clock.now();
  return {
    restoredVersion: release?.version ?? null,
    startedAt: now,
    deadlineAt: now + DEFAULTS.rollbackDeadlineSeconds[plan.target.type] * 1000,
  };
}

/**
 * VerifyRestore: is the restored version healthy? RollbackFailed when it fails or runs out of
 * time. Keeps the lock's lease.
 */
export async function verifyRestore(rt: Runtime, state: PlannedState): Promise<{ stable: boolean; detail: string }> {
  const { plan } = state;
  await keepLease(rt, state);
  const release = restoreTarget(state);
  const probe = await rt.target(plan.target).probeRestored(plan, release);
  const what = release ? `version ${release.version}` : 'the stopped environment';
  if (probe.state === ProbeState.Stable) {
    await updateRecord(rt, plan, state.rolloutId, (r) => {
      r.rollback.verified = true;
      r.status = RolloutStatus.RolledBack;
      r.finishedAt = isoAt(rt.clock);
    });
    return { stable: true, detail: probe.detail };
  }
  const outOfTime = rt.clock.now() > (state.restore?.deadlineAt ?? 0);
  if (probe.state === ProbeState.Pending && !outOfTime) return { stable: false, detail: probe.detail };
  const message = `rollback to ${what} failed: ${probe.detail}`;
  await updateRecord(rt, plan, state.rolloutId, (r) => {
    r.rollback.error = message;
    r.status = RolloutStatus.Failed;
    r.finishedAt = isoAt(rt.clock);
  });
  throw new RollbackFailedError(message);
}
