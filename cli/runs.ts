import { readdir, readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { readJson, writeJsonAtomic } from '../lib/state/files.js';
import { environmentDir } from '../lib/state/local-store.js';
import type { RunResult } from './engine.js';
import type { RolloutReport } from './report.js';

/**
 * A local run (a rollout or a manual rollback) as the detached engine process runs it, in
 * $ML_ROLLOUT_HOME/envs/<env>/runs/<rollout id>/:
 *   spec.json    what to run (written by the command that starts it)
 *   run.json     who runs it: the engine's pid (written once the engine has started)
 *   events.jsonl one EngineEvent a line, then a RunEnded line
 *   end.json     the outcome (written last)
 *   engine.log   the engine's own stdout and stderr
 *   reconciled   created by the command that found the engine gone and recorded it
 */
export const RunKind = { Rollout: 'rollout', Rollback: 'rollback' } as const;
export type RunKind = (typeof RunKind)[keyof typeof RunKind];

/** What the engine process runs. */
export interface RunSpec {
  kind: RunKind;
  rolloutId: string;
  environment: string;
  /** The version being deployed, where known before the run (a rollback learns it from its plan). */
  version: string | null;
  input: Record<string, unknown>;
}

/** The engine process of a run. */
export interface RunInfo {
  rolloutId: string;
  kind: RunKind;
  environment: string;
  version: string | null;
  /** The engine process (its own process group and session). */
  pid: number;
  /** ISO-8601 */
  startedAt: string;
}

/** How a run ended, as the engine wrote it. */
export interface RunEnd {
  result: RunResult;
  /** Rollouts only: the report `deploy --report` writes. */
  report: RolloutReport | null;
  /** What serves the environment once the run ended, for the summary. */
  url: string | null;
}

/** The line the engine appends after the last EngineEvent. */
export const RUN_ENDED = 'RunEnded';

export function runsDir(home: string, environment: string): string {
  return join(environmentDir(home, environment), 'runs');
}

export function runDir(home: string, environment: string, rolloutId: string): string {
  return join(runsDir(home, environment), rolloutId);
}

export const runFile = {
  spec: (dir: string) => join(dir, 'spec.json'),
  info: (dir: string) => join(dir, 'run.json'),
  events: (dir: string) => join(dir, 'events.jsonl'),
  end: (dir: string) => join(dir, 'end.json'),
  log: (dir: string) => join(dir, 'engine.log'),
  /** Created by the one command that records the run as interrupted. */
  reconciled: (dir: string) => join(dir, 'reconciled'),
};

export const readRunInfo = (dir: string) => readJson<RunInfo>(runFile.info(dir));
export const readRunEnd = (dir: string) => readJson<RunEnd>(runFile.end(dir));
export const writeRunInfo = (dir: string, info: RunInfo) => writeJsonAtomic(runFile.info(dir), info);

/**
 * Is `pid` a live engine process? A pid that was reused by another program, or a zombie, is not:
 * the engine is recognised by its command line.
 */
export async function engineAlive(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  if (!stat) return false;
  if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return false;
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  return cmdline.includes('runner.js');
}

/** The pid of a local lock owner ("host:pid") on this host, or null (another host, or AWS). */
export function localOwnerPid(owner: string): number | null {
  const [host, pid] = owner.split(':');
  return host === hostname() && pid && /^\d+$/.test(pid) ? Number(pid) : null;
}

/** A process on this host that is still there (any program): for lock owners of runs without run.json. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Runs of an environment that have not written their end, with their engine info (null: not started yet). */
export async function unfinishedRuns(home: string, environment: string): Promise<{ dir: string; info: RunInfo | null }[]> {
  const root = runsDir(home, environment);
  const ids = await readdir(root).catch(() => [] as string[]);
  const runs = await Promise.all(
    ids.sort().map(async (id) => {
      const dir = join(root, id);
      if (await readRunEnd(dir)) return null;
      return { dir, info: await readRunInfo(dir) };
    }),
  );
  return runs.filter((r): r is { dir: string; info: RunInfo | null } => r !== null);
}
