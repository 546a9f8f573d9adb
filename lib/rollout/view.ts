import type { Check } from '../gates/verdict.js';
import { PhaseStatus, RolloutStatus, type PhaseRecord, type RolloutRecord } from '../state/types.js';

/** A traffic step of a phase, as a record may hold it (written by the traffic steps, where a phase has them). */
export interface StepView {
  index: number | null;
  /** % of requests the new version takes */
  weight: number | null;
  status: string | null;
}

/** A running rollout as `get` and the dashboard show it. */
export interface ProgressView {
  id: string;
  version: string;
  previousVersion: string | null;
  /** 1-based */
  phaseNumber: number;
  phaseCount: number;
  phase: string | null;
  /** 1-based step of the phase and how many it has, with its weight, when the phase shifts traffic. */
  step: { number: number; count: number | null; weight: number | null } | null;
  /** The gate's latest checks (value, threshold, passed). */
  checks: Check[];
  /** A phase failed (or the rollout was stopped): the rollout is rolling back. */
  rollingBack: boolean;
  /** ISO-8601, while the rollout waits for a person: since when. */
  waitingSince: string | null;
  startedAt: string;
}

/** The traffic steps a phase record holds (one per step; none before the phase shifts traffic). */
export function stepsOf(p: PhaseRecord): StepView[] {
  return (p.traffic ?? []).map((s, i) => ({ index: i, weight: s.percent, status: s.status }));
}

/** Since when the rollout waits for approval (ISO-8601); null when it does not wait. */
export function waitingSince(r: RolloutRecord): string | null {
  return r.approval && !r.approval.approvedAt ? r.approval.since : null;
}

export function isFinal(r: RolloutRecord): boolean {
  return r.status !== RolloutStatus.Running && r.finishedAt !== null;
}

/** The running phase of a record (the last that started and has not ended), or null. */
export function currentPhaseIndex(r: RolloutRecord): number | null {
  for (let i = r.phases.length - 1; i >= 0; i--) {
    if (r.phases[i]?.status === PhaseStatus.Running) return i;
  }
  return null;
}

export function progressOf(r: RolloutRecord): ProgressView {
  const failedAt = r.phases.findIndex((x) => x.status === PhaseStatus.Failed);
  // A pause follows its phase's gate: the rollout is still at that phase until approved.
  const pausedAt = waitingSince(r) ? r.phases.findIndex((x) => x.name === r.approval?.phase) : -1;
  const i = pausedAt >= 0 ? pausedAt : (currentPhaseIndex(r) ?? (failedAt >= 0 ? failedAt : null));
  const p = i === null ? null : (r.phases[i] ?? null);
  const passed = r.phases.filter((x) => x.status === PhaseStatus.Passed).length;
  let step: ProgressView['step'] = null;
  if (p) {
    const steps = stepsOf(p);
    const liveIdx = steps.findIndex((s) => s.status === 'running');
    const idx = liveIdx >= 0 ? liveIdx : steps.length > 0 ? steps.length - 1 : null;
    // All at once is one step at 100 %: nothing to show beside the phase.
    if (idx !== null && steps.length > 1) step = { number: idx + 1, count: steps.length, weight: steps[idx]?.weight ?? null };
  }
  return {
    id: r.id,
    version: r.version,
    previousVersion: r.previousVersion,
    phaseNumber: i === null ? Math.min(passed + 1, r.phases.length) : i + 1,
    phaseCount: r.phases.length,
    phase: p?.name ?? null,
    step,
    checks: p?.checks ?? [],
    rollingBack: failedAt >= 0 || r.failure !== null || r.rollback.performed,
    waitingSince: waitingSince(r),
    startedAt: r.startedAt,
  };
}
