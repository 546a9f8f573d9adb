import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseStat, readProcessGroup } from './proc-stats.js';
import { TransientError } from '../../errors.js';

/** A running local service: the Procfile's web process, detached in its own process group. */
export interface LocalProcess {
  /** Process id, which is also the process group id (detached). */
  pid: number;
  port: number;
  url: string;
  version: string;
  digest: string;
  releaseDir: string;
  settings: Record<string, string>;
  logFile: string;
  /** ISO-8601 */
  startedAt: string;
}

export interface StartOptions {
  command: string;
  cwd: string;
  port: number;
  env: Record<string, string>;
  logFile: string;
}

/** Variables of the orchestrator (and its secrets) that must not leak into the service it starts. */
const NOT_INHERITED = /^(NODE_OPTIONS$|npm_|JEST_|INIT_CWD$|ML_ROLLOUT_HOME$|ML_ROLLOUT_API_KEY$|SLACK_WEBHOOK_URL$)/;

/**
 * Starts `command` through the shell, detached so it keeps serving after the CLI exits, with its
 * output in a log file (never our stdout: a child holding it open would keep CI waiting).
 */
export async function startProcess(opts: StartOptions): Promise<number> {
  await mkdir(dirname(opts.logFile), { recursive: true });
  const fd = openSync(opts.logFile, 'a');
  try {
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !NOT_INHERITED.test(k)));
    const child = spawn('/bin/sh', ['-c', `exec ${opts.command}`], {
      cwd: opts.cwd,
      env: { ...inherited, ...opts.env, PORT: String(opts.port) },
      detached: true,
      stdio: ['ignore', fd, fd],
    });
    const pid = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('spawn', () => resolve(child.pid ?? -1));
    });
    child.unref();
    return pid;
  } finally {
    closeSync(fd);
  }
}

/**
 * Whether the detached group `pid` leads has a live (not zombie) process. The leader's own
 * /proc entry answers at once in the usual case; only when it has gone is the whole of /proc read
 * for the rest of its group (one file per process on the machine).
 */
export async function isRunning(pid: number): Promise<boolean> {
  const leader = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  const s = leader ? parseStat(leader) : null;
  if (s && s.pgid === pid && s.state !== 'Z') return true;
  return (await readProcessGroup(pid)) !== null;
}

/**
 * SIGTERM to the group, then SIGKILL if it has not gone within `graceMs`. The grace is real
 * elapsed time (a monotonic timer, not the injectable clock): a real process is waited for.
 */
export async function stopProcess(pid: number, graceMs = 5_000): Promise<void> {
  if (!signalGroup(pid, 'SIGTERM')) return;
  const until = performance.now() + graceMs;
  while (performance.now() < until) {
    if (!(await isRunning(pid))) return;
    await sleep(50);
  }
  signalGroup(pid, 'SIGKILL');
  const killDeadline = performance.now() + 2_000;
  while (performance.now() < killDeadline && (await isRunning(pid))) await sleep(20);
}

function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** A port free right now on 127.0.0.1, preferring `preferred` (an environment keeps its URL). */
export async function freePort(preferred?: number): Promise<number> {
  if (preferred && (await canListen(preferred))) return preferred;
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new TransientError('no free port on 127.0.0.1'))));
    });
  });
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** The last non-empty line of a log, for "process exited" messages. */
export async function lastLogLine(logFile: string): Promise<string | null> {
  const text = await readFile(logFile, 'utf8').catch(() => '');
  const lines = text.split('\n').filter((l) => l.trim().length > 0);
  const last = lines.at(-1);
  return last ? last.slice(0, 200) : null;
}
