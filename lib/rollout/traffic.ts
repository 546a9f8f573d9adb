import { isoAt } from '../clock.js';
import type { PlanPhase, PlanTraffic } from '../plan/plan.js';
import type { Runtime } from '../runtime.js';
import type { Check } from '../gates/verdict.js';
import type { RolloutRecord } from '../state/types.js';
import { keepLease } from './lease.js';
import { updateRecord } from './record.js';
import { currentPhase, type PlannedState } from './state.js';

/** The traffic of a phase, all at once when the plan predates traffic steps. */
export function phaseSteps(phase: PlanPhase): PlanTraffic {
  return phase.traffic ?? { strategy: 'all-at-once', steps: [100], stepSeconds: 0 };
}

/** Output of ShiftTraffic, at $.traffic: the step the phase is in. */
export interface TrafficStep {
  /** Index of the phase. */
  phase: number;
  /** Index of the step in the phase's steps. */
  index: number;
  count: number;
  /** Share of user requests the new version takes, %. */
  percent: number;
  /** How long this step is measured, s (the last step: the phase's bakeSeconds). */
  seconds: number;
  /** The version that takes the rest, if any. */
  from: string | null;
  detail: string;
  /** epoch ms */
  startedAt: number;
}

/**
 * ShiftTraffic: the phase's new version takes the weight of the step `$.step.index` (a Pass
 * state counts the steps; the gate then measures the step). The record lists every step of the
 * phase, this one running.
 */
export async function shiftTraffic(rt: Runtime, state: PlannedState & { step?: { index: number } }): Promise<TrafficStep> {
  const { plan } = state;
  const phase = currentPhase(state);
  await keepLease(rt, state);
  const traffic = phaseSteps(phase);
  const index = state.step?.index ?? 0;
  const percent = traffic.steps[index] ?? 100;
  const last = index >= traffic.steps.length - 1;
  const shifted = await rt.target(plan.target).shift?.(plan, phase, percent);
  const from = shifted?.from ?? null;
  await updateRecord(rt, plan, state.rolloutId, (r) => {
    const p = r.phases[phase.index];
    if (!p) return;
    p.traffic ??= traffic.steps.map((s) => ({ percent: s, status: 'skipped' as const, checks: [] }));
    const entry = p.traffic[index];
    if (entry) Object.assign(entry, { status: 'running', checks: [] });
  });
  return {
    phase: phase.index,
    index,
    count: traffic.steps.length,
    percent,
    seconds: last ? phase.bakeSeconds : traffic.stepSeconds,
    from,
    detail: shifted?.detail ?? `${plan.version} takes ${percent} %`,
    startedAt: rt.clock.now(),
  };
}

/**
 * RetireOld: the rollout succeeded and is recorded; what kept the known-good release ready for a
 * switch back (its process, locally) stops. A failure here changes no outcome.
 */
export async function retireOld(rt: Runtime, state: PlannedState): Promise<{ retiredAt: string }> {
  await rt.target(state.plan.target).retire?.(state.plan);
  return { retiredAt: isoAt(rt.clock) };
}

/** Marks the phase's step `index` as judged. */
export function markStep(r: RolloutRecord, phaseIndex: number, index: number, status: 'passed' | 'failed', checks: Check[]): void {
  const entry = r.phases[phaseIndex]?.traffic?.[index];
  if (entry) Object.assign(entry, { status, checks });
}
