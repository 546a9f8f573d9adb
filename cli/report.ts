import { FailName } from '../lib/errors.js';
import type { WindowMeasurements } from '../lib/gates/bake.js';
import type { Check } from '../lib/gates/verdict.js';
import type { RolloutRecord } from '../lib/state/types.js';
import type { RunResult } from './engine.js';
import { costOfTransitions, type CostEstimate } from '../lib/rollout/cost.js';

/** The final status a report gives; the CLI's exit code follows from it. */
export const ReportStatus = {
  Succeeded: 'succeeded',
  RolledBack: 'rolled_back',
  Rejected: 'rejected',
  Failed: 'failed',
} as const;
export type ReportStatus = (typeof ReportStatus)[keyof typeof ReportStatus];

/** `ml-rollout deploy --report FILE`: what happened, with every measured value. */
export interface RolloutReport {
  status: ReportStatus;
  /** True when this very bundle already served and nothing was restarted. */
  unchanged: boolean;
  environment: string | null;
  version: string | null;
  previousVersion: string | null;
  phases: {
    name: string;
    status: 'passed' | 'failed' | 'skipped';
    checks: Check[];
    measurements?: WindowMeasurements;
    error?: string;
    /** What the target changed besides the deployment (a target group's health check). */
    notes?: string[];
    /** One entry per traffic step, the new version's share in order (all at once: one entry at 100). */
    traffic: { percent: number; status: 'passed' | 'failed' | 'skipped'; checks: Check[] }[];
  }[];
  rollback: { performed: boolean; restoredVersion: string | null; verified: boolean };
  /** One line: why the rollout did not succeed. */
  reason: string | null;
  transitions: { state: string; type: string; at: string }[];
  /** What this rollout costs on AWS: every state it entered × the Standard workflow price + its tasks' Lambda GB-seconds (an estimate). */
  cost?: CostEstimate;
}

export const EXIT_CODE: Record<ReportStatus, number> = {
  succeeded: 0,
  rejected: 2,
  rolled_back: 3,
  failed: 1,
};

export function statusOf(result: RunResult): ReportStatus {
  if (result.status === 'SUCCEEDED') return ReportStatus.Succeeded;
  if (result.error === FailName.Rejected) return ReportStatus.Rejected;
  if (result.error === FailName.RolledBack) return ReportStatus.RolledBack;
  return ReportStatus.Failed;
}

export function buildReport(
  result: RunResult,
  record: RolloutRecord | null,
  head: { environment: string | null; version: string | null; steps?: number[][] },
): RolloutReport {
  const status = statusOf(result);
  return {
    status,
    unchanged: result.finalState === 'Unchanged',
    environment: record?.environment ?? head.environment,
    version: record?.version ?? head.version,
    previousVersion: record?.previousVersion ?? null,
    phases: (record?.phases ?? []).map((p, i) => ({
      name: p.name,
      // A phase that never started (rejected, unchanged) or was cut short reads as skipped.
      status: p.status === 'passed' || p.status === 'failed' ? p.status : 'skipped',
      checks: p.checks,
      ...(p.measurements ? { measurements: p.measurements } : {}),
      ...(p.error ? { error: p.error } : {}),
      ...(p.notes?.length ? { notes: p.notes } : {}),
      // A step never reached (or still running when the run ended) reads as skipped.
      traffic: (p.traffic ?? (head.steps?.[i] ?? [100]).map((percent) => ({ percent, status: 'skipped' as const, checks: [] }))).map(
        (t) => ({ percent: t.percent, status: t.status === 'passed' || t.status === 'failed' ? t.status : 'skipped', checks: t.checks }),
      ),
    })),
    rollback: record?.rollback
      ? { performed: record.rollback.performed, restoredVersion: record.rollback.restoredVersion, verified: record.rollback.verified }
      : { performed: false, restoredVersion: null, verified: false },
    reason: status === ReportStatus.Succeeded ? null : (record?.failure?.message ?? result.cause ?? null),
    transitions: result.transitions.map((t) => ({ state: t.state, type: t.type, at: new Date(t.at).toISOString() })),
    cost: costOfTransitions(result.transitions, result.transitions.at(-1)?.at),
  };
}
