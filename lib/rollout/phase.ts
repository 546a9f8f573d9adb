import { isoAt } from '../clock.js';
import { DeadlineExceededError, ErrorName, PhaseFailedError } from '../errors.js';
import { DEFAULTS } from '../plan/defaults.js';
import { PhaseStatus } from '../state/types.js';
import type { Runtime } from '../runtime.js';
import { ProbeState } from '../targets/types.js';
import { approvalTimeoutOf } from './approval.js';
import { checkAbort } from './control.js';
import { keepLease } from './lease.js';
import { phaseSteps } from './traffic.js';
import { updateRecord } from './record.js';
import { currentPhase, type PhaseRun, type PlannedState, type StableProbe } from './state.js';

/** ApplyPhase: deploy the release with this phase's settings; the deadline starts now. */
export async function applyPhase(rt: Runtime, state: PlannedState): Promise<PhaseRun> {
  const { plan } = state;
  const phase = currentPhase(state);
  const now = rt.clock.now();
  await updateRecord(rt, plan, state.rolloutId, (r) => {
    const p = r.phases[phase.index];
    if (p) Object.assign(p, { status: PhaseStatus.Running, startedAt: new Date(now).toISOString(), checks: [] });
  });
  const deployment = await rt.target(plan.target).apply(plan, phase);
  if (deployment.notes?.length) {
    const notes = deployment.notes;
    await updateRecord(rt, plan, state.rolloutId, (r) => {
      const p = r.phases[phase.index];
      if (p) p.notes = [...(p.notes ?? []), ...notes];
    });
  }
  await rt.state.putServing({
    environment: plan.environment,
    targetType: plan.target.type,
    version: plan.version,
    digest: plan.digest,
    url: deployment.url,
    phase: phase.name,
    updatedAt: isoAt(rt.clock),
  });
  return {
    index: phase.index,
    name: phase.name,
    startedAt: now,
    deadlineAt: now + phase.deadlineSeconds * 1000,
    url: deployment.url,
    ...(deployment.targetState ? { targetState: deployment.targetState } : {}),
    steps: phaseSteps(phase).steps,
    // Always both: WaitForApproval's Choice and TimeoutSecondsPath read them.
    approve: phase.approve === true,
    approvalTimeoutSeconds: approvalTimeoutOf(phase),
  };
}

/**
 * CheckStable: one probe. Pending before the deadline → poll again (the state machine waits);
 * pending after it → DeadlineExceeded; a failed service → PhaseFailed at once. Stable only after
 * `health.healthyThreshold` healthy probes in a row, counted in the execution's state ($.probe),
 * not in the process (a Lambda keeps nothing). Keeps the lock's lease; an abort rolls back.
 */
export async function checkStable(rt: Runtime, state: PlannedState): Promise<StableProbe> {
  const { plan } = state;
  const phase = currentPhase(state);
  await checkAbort(rt, state, phase.name);
  await keepLease(rt, state);
  const probe = await rt.target(plan.target).probe(plan);
  const needed = plan.health.healthyThreshold ?? DEFAULTS.healthyThreshold;
  const before = state.probe?.phase === phase.index ? (state.probe.healthyInARow ?? 0) : 0;
  const healthyInARow = probe.state === ProbeState.Stable ? before + 1 : 0;
  const counted = { phase: phase.index, healthyInARow };
  if (healthyInARow >= needed) return { stable: true, detail: probe.detail, ...counted };
  const detail = healthyInARow > 0 ? `${probe.detail} (${healthyInARow} of ${needed} healthy in a row)` : probe.detail;
  const deadlineAt = state.phaseRun?.deadlineAt ?? 0;
  let error: Error | null = null;
  if (probe.state === ProbeState.Failed) error = new PhaseFailedError(`${phase.name}: ${probe.detail}`);
  else if (rt.clock.now() > deadlineAt) {
    error = new DeadlineExceededError(`${phase.name} did not become healthy within ${phase.deadlineSeconds} s (last: ${probe.detail})`);
  }
  if (!error) return { stable: false, detail, ...counted };
  await updateRecord(rt, plan, state.rolloutId, (r) => {
    const p = r.phases[phase.index];
    if (p) Object.assign(p, { status: PhaseStatus.Failed, finishedAt: isoAt(rt.clock), error: error.message });
    r.failure ??= {
      phase: phase.name,
      error: error.name === ErrorName.DeadlineExceeded ? ErrorName.DeadlineExceeded : ErrorName.PhaseFailed,
      message: error.message,
    };
  });
  throw error;
}
