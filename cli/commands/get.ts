import { setTimeout as sleep } from 'node:timers/promises';
import type { Runtime } from '../../lib/runtime.js';
import { describeCheck } from '../../lib/gates/verdict.js';
import { historyRow, type HistoryRow } from '../../lib/rollout/history.js';
import { progressOf, type ProgressView } from '../../lib/rollout/view.js';
import { formatDuration } from '../../lib/notify/slack-blocks.js';
import { stopSignals } from '../follow.js';
import { EXIT_CODE } from '../report.js';
import { latestRecord } from '../records.js';
import { status } from './environment.js';

/** `ml-rollout get --json`: what serves, the running rollout, else the last outcome. */
export interface GetView {
  environment: string;
  serving: { version: string | null; url: string | null; healthy: boolean; verified: boolean; detail: string | null };
  /** The running rollout, or null. */
  rollout: (ProgressView & { approveWith: string | null; abortWith: string }) | null;
  /** The last rollout's outcome when none runs (the running one's record otherwise is in `rollout`). */
  last: HistoryRow | null;
  exists: boolean;
}

export async function getView(rt: Runtime, environment: string, bin: string): Promise<GetView> {
  const s = await status(rt, environment);
  const latest = await latestRecord(rt.home, environment);
  const running = s.rollout ? ((await rt.state.getRollout(environment, s.rollout.id)) ?? null) : null;
  let rollout: GetView['rollout'] = null;
  if (s.rollout) {
    const base: ProgressView = running
      ? progressOf(running)
      : {
          // Started, not yet past its validation: it has no record yet.
          id: s.rollout.id,
          version: s.rollout.version ?? '?',
          previousVersion: null,
          phaseNumber: 0,
          phaseCount: 0,
          phase: null,
          step: null,
          checks: [],
          rollingBack: false,
          waitingSince: null,
          startedAt: new Date(rt.clock.now()).toISOString(),
        };
    rollout = {
      ...base,
      approveWith: base.waitingSince ? `${bin} approve --env ${environment}` : null,
      abortWith: `${bin} abort --env ${environment}`,
    };
  }
  return {
    environment,
    serving: { version: s.version, url: s.url, healthy: s.healthy, verified: s.verified, detail: s.detail },
    rollout,
    last: !s.rollout && latest ? historyRow(latest) : null,
    exists: s.exists,
  };
}

function progressLine(r: NonNullable<GetView['rollout']>): string {
  const where = r.phaseCount === 0 ? 'starting' : `phase ${r.phaseNumber}/${r.phaseCount}${r.phase ? ` ${r.phase}` : ''}`;
  const step = r.step
    ? `, step ${r.step.number}${r.step.count ? `/${r.step.count}` : ''}${r.step.weight !== null ? ` at ${r.step.weight} %` : ''}`
    : '';
  const previous = r.phaseCount === 0 ? '' : ` (previous: ${r.previousVersion ?? 'none'})`;
  return `rollout ${r.id} of ${r.version}${previous}: ${where}${step}${r.rollingBack ? ', failed: rolling back' : ''}`;
}

export function outcomeLine(l: HistoryRow): string {
  const took = l.durationMs === null ? '' : ` in ${formatDuration(l.durationMs)}`;
  const why = l.failedCheck
    ? `: ${l.failedPhase ? `${l.failedPhase} ` : ''}${describeCheck(l.failedCheck)}`
    : l.reason
      ? `: ${l.reason}`
      : '';
  return `last rollout ${l.id} of ${l.version}: ${l.status}${took} (started ${l.startedAt})${why}`;
}

/** The view as lines: what `get` prints, and what `get --watch` redraws on a terminal. */
export function getLines(v: GetView): string[] {
  const s = v.serving;
  const lines = [
    s.version
      ? `${v.environment}: ${s.version}${s.url ? ` at ${s.url}` : ''} (${s.healthy ? 'healthy' : `NOT healthy${s.detail ? `: ${s.detail}` : ''}`})`
      : `${v.environment}: nothing serves`,
  ];
  if (v.rollout) {
    lines.push(`  ${progressLine(v.rollout)}`);
    for (const c of v.rollout.checks) lines.push(`    ${c.passed ? '✓' : '✗'} ${describeCheck(c)}`);
    if (v.rollout.waitingSince)
      lines.push(
        `  waiting for approval since ${v.rollout.waitingSince}, approve with: ${v.rollout.approveWith} (abort with: ${v.rollout.abortWith})`,
      );
  } else if (v.last) lines.push(`  ${outcomeLine(v.last)}`);
  return lines;
}

/** One line per change (not a terminal): the rollout's progress and its checks on one line. */
export function changeLine(v: GetView): string {
  if (!v.rollout) return v.last ? outcomeLine(v.last) : (getLines(v)[0] ?? '');
  const r = v.rollout;
  const checks = r.checks.length ? `; ${r.checks.map((c) => `${c.passed ? '✓' : '✗'} ${describeCheck(c)}`).join(', ')}` : '';
  const wait = r.waitingSince ? `; waiting for approval since ${r.waitingSince}, approve with: ${r.approveWith}` : '';
  return `${progressLine(r)}${checks}${wait}`;
}

/** How often `get --watch` reads the state, ms. */
const WATCH_MS = 500;

/**
 * `get --watch`: redraws until the rollout that runs now ends (in place on a terminal, one line
 * per change otherwise); its exit code is then the rollout's, as deploy's. With no rollout
 * running it prints once and exits 0.
 */
export async function watchGet(
  rt: Runtime,
  environment: string,
  bin: string,
  io: { tty: boolean; write: (s: string) => void },
): Promise<number> {
  const stop = stopSignals();
  let drawn = 0;
  let last = '';
  const draw = (v: GetView) => {
    if (io.tty) {
      const lines = getLines(v);
      const text = lines.join('\n');
      if (text === last) return;
      last = text;
      // Up over what was drawn, clear to the end of the screen, draw again.
      io.write(`${drawn > 0 ? `\x1b[${drawn}F\x1b[J` : ''}${text}\n`);
      drawn = lines.length;
    } else {
      const line = changeLine(v);
      if (line === last) return;
      last = line;
      io.write(`${new Date(rt.clock.now()).toISOString().slice(11, 19)} ${line}\n`);
    }
  };
  try {
    let v = await getView(rt, environment, bin);
    const followed = v.rollout?.id ?? null;
    for (;;) {
      draw(v);
      if (!v.rollout || stop.reason()) break;
      await Promise.race([sleep(WATCH_MS), stop.stopped]);
      if (stop.reason()) break;
      v = await getView(rt, environment, bin);
    }
    if (stop.reason()) return 130;
    if (!followed) return 0;
    const end = await rt.state.getRollout(environment, followed);
    const row = end ? historyRow(end) : null;
    if (!row) return 1;
    const code = row.status === 'rollback_failed' ? EXIT_CODE.failed : (EXIT_CODE as Record<string, number>)[row.status];
    return code ?? 1;
  } finally {
    stop.dispose();
  }
}
