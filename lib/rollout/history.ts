import type { Check } from '../gates/verdict.js';
import { RolloutStatus, type RolloutRecord } from '../state/types.js';

/** The statuses `history` shows: a record's status, with a rollback that failed named as such. */
export const HistoryStatus = {
  Running: 'running',
  Succeeded: 'succeeded',
  RolledBack: 'rolled_back',
  Rejected: 'rejected',
  Failed: 'failed',
  RollbackFailed: 'rollback_failed',
} as const;
export type HistoryStatus = (typeof HistoryStatus)[keyof typeof HistoryStatus];

/** One row of `ml-rollout history`: one rollout. */
export interface HistoryRow {
  id: string;
  version: string;
  previousVersion: string | null;
  status: HistoryStatus;
  /** ISO-8601 */
  startedAt: string;
  /** ms; null while it runs */
  durationMs: number | null;
  /** The phase that failed, where one did. */
  failedPhase: string | null;
  /** The failed check with its value and threshold, where a gate failed. */
  failedCheck: Check | null;
  /** One line: why it did not succeed; null when it did. */
  reason: string | null;
}

export function historyStatus(r: RolloutRecord): HistoryStatus {
  switch (r.status) {
    case RolloutStatus.Running:
      return HistoryStatus.Running;
    case RolloutStatus.Succeeded:
    case RolloutStatus.Unchanged:
      return HistoryStatus.Succeeded;
    case RolloutStatus.RolledBack:
      return HistoryStatus.RolledBack;
    case RolloutStatus.Rejected:
      return HistoryStatus.Rejected;
    default:
      // A failed record whose rollback was tried and did not end verified is a failed rollback.
      return r.rollback.error || (r.rollback.performed && !r.rollback.verified) ? HistoryStatus.RollbackFailed : HistoryStatus.Failed;
  }
}

export function historyRow(r: RolloutRecord): HistoryRow {
  const status = historyStatus(r);
  const ok = status === HistoryStatus.Succeeded || status === HistoryStatus.Running;
  return {
    id: r.id,
    version: r.version,
    previousVersion: r.previousVersion,
    status,
    startedAt: r.startedAt,
    durationMs: r.finishedAt ? Date.parse(r.finishedAt) - Date.parse(r.startedAt) : null,
    failedPhase: ok ? null : (r.failure?.phase ?? null),
    failedCheck: ok ? null : (r.failure?.check ?? null),
    reason: ok ? null : (r.failure?.message ?? (r.status === RolloutStatus.Interrupted ? 'interrupted: the engine stopped' : null)),
  };
}

/**
 * The history of an environment: one row per rollout, newest first (by start, then id),
 * at most `limit` rows.
 */
export function history(records: readonly RolloutRecord[], limit?: number): HistoryRow[] {
  const rows = [...records]
    .sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
    .map(historyRow);
  return limit === undefined ? rows : rows.slice(0, limit);
}
