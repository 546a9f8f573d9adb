import { isoAt } from '../clock.js';
import { ErrorName, GateFailedError } from '../errors.js';
import { accumulate, isComplete, measurementsOf, type BakeWindow } from '../gates/bake.js';
import { evaluate } from '../gates/evaluate.js';
import { appendPoint, pointOf, thresholdsOf } from '../gates/series.js';
import { describeCheck } from '../gates/verdict.js';
import { PhaseStatus } from '../state/types.js';
import type { Runtime } from '../runtime.js';
import { keepLease } from './lease.js';
import { updateRecord } from './record.js';
import { currentPhase, type PlannedState } from './state.js';

/**
 * SampleGate: one round of measurements, added to the phase's window. A threshold passed →
 * GateFailed (naming the check and its measured value); a complete window that passes → done.
 * Between rounds the state machine waits (WaitForSample), so the load is steady and no Lambda sleeps.
 * Keeps the lock's lease.
 */
export async function sampleGate(rt: Runtime, state: PlannedState): Promise<BakeWindow> {
  const { plan } = state;
  const phase = currentPhase(state);
  await keepLease(rt, state);
  const previous = state.phaseRun?.bake && state.phaseRun.bake.phase === phase.index ? state.phaseRun.bake : null;
  const sample = await rt.target(plan.target).sample(plan, phase, previous?.cursor ?? null);
  const window = accumulate(previous, sample, phase);
  const final = isComplete(window, rt.clock.now());
  const verdict = evaluate(window, phase, final);
  // Every sample goes to the record, so that `get`, the dashboard and the HTML report (other
  // processes) see the gate's latest checks and can chart each sample.
  const point = pointOf(sample);
  const running = verdict.passed && !final;
  await updateRecord(rt, plan, state.rolloutId, (r) => {
    const p = r.phases[phase.index];
    if (!p) return;
    p.series = appendPoint(p.series, point);
    p.thresholds = thresholdsOf(phase);
    if (running) Object.assign(p, { checks: verdict.checks, measurements: measurementsOf(window) });
  });
  if (!verdict.passed) {
    const failed = verdict.checks.find((c) => !c.passed);
    const message = `${phase.name} gate failed: ${failed ? describeCheck(failed) : 'a check failed'}`;
    await updateRecord(rt, plan, state.rolloutId, (r) => {
      const p = r.phases[phase.index];
      if (p)
        Object.assign(p, {
          status: PhaseStatus.Failed,
          checks: verdict.checks,
          measurements: measurementsOf(window),
          finishedAt: isoAt(rt.clock),
          error: message,
        });
      r.failure ??= { phase: phase.name, error: ErrorName.GateFailed, message, ...(failed ? { check: failed } : {}) };
    });
    throw new GateFailedError(message);
  }
  if (final) {
    await updateRecord(rt, plan, state.rolloutId, (r) => {
      const p = r.phases[phase.index];
      if (p)
        Object.assign(p, {
          status: PhaseStatus.Passed,
          checks: verdict.checks,
          measurements: measurementsOf(window),
          finishedAt: isoAt(rt.clock),
        });
    });
  }
  return { ...window, done: final, checks: verdict.checks };
}
