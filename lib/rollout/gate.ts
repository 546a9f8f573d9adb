import { isoAt } from '../clock.js';
import { DeadlineExceededError, ErrorName, GateFailedError } from '../errors.js';
import { accumulate, isComplete, measurementsOf, type BakeWindow } from '../gates/bake.js';
import { evaluate } from '../gates/evaluate.js';
import { appendPoint, pointOf, thresholdsOf } from '../gates/series.js';
import { describeCheck } from '../gates/verdict.js';
import { compareChecks } from '../gates/compare.js';
import { markStep, phaseSteps, type TrafficStep } from './traffic.js';
import { PhaseStatus } from '../state/types.js';
import type { Runtime } from '../runtime.js';
import { DEFAULTS } from '../plan/defaults.js';
import { checkAbort } from './control.js';
import { keepLease } from './lease.js';
import { judgeModel, withoutAnswers } from './answers.js';
import { updateRecord } from './record.js';
import { currentPhase, type PlannedState } from './state.js';

/**
 * SampleGate: one round of measurements, added to the phase's window. A threshold passed →
 * GateFailed (naming the check and its measured value); a complete window that passes → done.
 * Between rounds the state machine waits (WaitForSample), so the load is steady and no Lambda sleeps.
 * Keeps the lock's lease.
 */
export async function sampleGate(rt: Runtime, state: PlannedState & { traffic?: TrafficStep }): Promise<BakeWindow> {
  const { plan } = state;
  const planPhase = currentPhase(state);
  await checkAbort(rt, state, planPhase.name);
  await keepLease(rt, state);
  // A traffic step is measured as a bake of its own: stepSeconds long, the last step the phase's bakeSeconds.
  const step = state.traffic && state.traffic.phase === planPhase.index ? state.traffic : null;
  const phase = step ? { ...planPhase, bakeSeconds: step.seconds } : planPhase;
  const lastStep = !step || step.index >= step.count - 1;
  const bake = state.phaseRun?.bake;
  const previous = bake && bake.phase === phase.index && (bake.step ?? 0) === (step?.index ?? 0) ? bake : null;
  const sample = await rt.target(plan.target).sample(plan, phase, previous?.cursor ?? null);
  const model = await judgeModel(rt, state, phase, sample.requests);
  const window = {
    ...accumulate(previous, withoutAnswers(sample), phase),
    ...(step ? { step: step.index } : {}),
    ...(sample.versions ? { versions: sample.versions } : {}),
  };
  // A target still shifting traffic by itself keeps the window open until it is done, within the phase's deadline.
  const unsettled = sample.settled === false;
  if (unsettled && rt.clock.now() > (state.phaseRun?.deadlineAt ?? Number.POSITIVE_INFINITY)) {
    throw new DeadlineExceededError(`${phase.name}: the traffic shift did not finish within ${phase.deadlineSeconds} s`);
  }
  const final = isComplete(window, rt.clock.now()) && !unsettled;
  const judged = evaluate(window, phase, final, plan.health.unhealthyThreshold ?? DEFAULTS.unhealthyThreshold);
  const extra = [...model.checks, ...compareChecks(sample.versions, phaseSteps(phase).compare, final)];
  const verdict = { passed: judged.passed && extra.every((c) => c.passed), checks: [...judged.checks, ...extra] };
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
    const failed = verdict.checks.find((c) => !c.passed && !c.tolerated);
    const at = step && step.percent < 100 ? ` at ${step.percent} % traffic` : '';
    const message = `${phase.name} gate failed${at}: ${failed ? describeCheck(failed) : 'a check failed'}`;
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
      if (step) markStep(r, phase.index, step.index, 'failed', verdict.checks);
    });
    throw new GateFailedError(message);
  }
  if (final) {
    await updateRecord(rt, plan, state.rolloutId, (r) => {
      if (step) markStep(r, phase.index, step.index, 'passed', verdict.checks);
      const p = r.phases[phase.index];
      if (p && lastStep)
        Object.assign(p, {
          status: PhaseStatus.Passed,
          checks: verdict.checks,
          measurements: measurementsOf(window),
          finishedAt: isoAt(rt.clock),
        });
      if (model.answers.length) r.answers = { ...r.answers, [phase.name]: model.answers };
    });
  }
  return { ...window, done: final, checks: verdict.checks };
}
