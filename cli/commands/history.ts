import type { Runtime } from '../../lib/runtime.js';
import { describeCheck } from '../../lib/gates/verdict.js';
import { history, type HistoryRow } from '../../lib/rollout/history.js';
import { formatDuration } from '../../lib/notify/slack-blocks.js';
import { environmentExists, rolloutRecords } from '../records.js';

/** `ml-rollout history`: what it prints and its exit code. */
export interface HistoryOutput {
  out: string[];
  err: string[];
  code: number;
}

function pad(cells: string[][]): string[] {
  const widths = cells[0]?.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length))) ?? [];
  return cells.map((r) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

/** The table: one row per rollout, newest first. */
export function historyTable(rows: HistoryRow[]): string[] {
  const head = ['ROLLOUT', 'VERSION', 'PREVIOUS', 'STATUS', 'STARTED', 'DURATION', 'FAILED CHECK'];
  const body = rows.map((r) => [
    r.id,
    r.version,
    r.previousVersion ?? '-',
    r.status,
    r.startedAt.replace(/\.\d+Z$/, 'Z'),
    r.durationMs === null ? '-' : formatDuration(r.durationMs),
    r.failedCheck ? `${r.failedPhase ? `${r.failedPhase}: ` : ''}${describeCheck(r.failedCheck)}` : (r.reason ?? ''),
  ]);
  return pad([head, ...body]);
}

export async function historyCommand(rt: Runtime, environment: string, o: { json: boolean; limit?: number }): Promise<HistoryOutput> {
  if (!environmentExists(rt.home, environment))
    return {
      out: o.json ? ['[]'] : [],
      err: [`ml-rollout: no environment ${environment} here (nothing was ever deployed to it)`],
      code: 2,
    };
  const rows = history(await rolloutRecords(rt.home, environment), o.limit);
  if (o.json) return { out: [JSON.stringify(rows, null, 2)], err: [], code: 0 };
  if (rows.length === 0) return { out: [`${environment}: no rollouts yet`], err: [], code: 0 };
  return { out: historyTable(rows), err: [], code: 0 };
}
