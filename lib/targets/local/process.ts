import { spawn } from 'node:child_process';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseStat, readProcessGroup } from './proc-stats.js';
import { TransientError } from '../../errors.js';
import { logCapFromEnv, startLogWriter, type LogCap } from './log-writer.js';

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
  /** What marks this version's processes (default: its log file, which is under the environment's directory). */
  tag?: string;
  /** The log's size cap and rotation (default: logCapFromEnv()). */
  logCap?: LogCap;
}

/** The environment variable that marks the processes a version started, whatever their group or session. */
export const SERVICE_TAG = 'ML_ROLLOUT_SERVICE';

/**
 * The pids of live processes whose SERVICE_TAG matches: a service's descendants, found through
 * /proc/<pid>/environ rather than the parent chain, which a daemon that forked twice and called
 * setsid has left (its parent is init). Only this user's processes can be read, which are the
 * only ones the service could start.
 */
export async function taggedProcesses(match: (tag: string) => boolean): Promise<number[]> {
  const entries = await readdir('/proc').catch(() => [] as string[]);
  const found: number[] = [];
  const prefix = `${SERVICE_TAG}=`;
  await Promise.all(
    entries
      .filter((e) => /^\d+$/.test(e) && Number(e) !== process.pid)
      .map(async (pid) => {
        const environ = await readFile(`/proc/${pid}/environ`, 'latin1').catch(() => null);
        const entry = environ?.split('\0').find((v) => v.startsWith(prefix));
        if (!entry || !match(entry.slice(prefix.length))) return;
        const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
        const s = stat ? parseStat(stat) : null;
        if (s && s.state !== 'Z') found.push(Number(pid));
      }),
  );
  return found;
}

/** Stops every process tagged under `prefix` (an environment's directory): when its process record is lost. */
export async function stopTagged(prefix: string, graceMs = 5_000): Promise<number> {
  const pids = await taggedProcesses((t) => t.startsWith(prefix));
  await stopAll(pids, () => taggedProcesses((t) => t.startsWith(prefix)), graceMs);
  return pids.length;
}

/** Variables of the orchestrator (and its secrets) that must not leak into the service it starts. */
const NOT_INHERITED = /^(NODE_OPTIONS$|npm_|JEST_|INIT_CWD$|ML_ROLLOUT_HOME$|ML_ROLLOUT_API_KEY$|SLACK_WEBHOOK_URL$)/;

/**
 * Starts `command` through the shell, detached (its own session and process group) so it keeps
 * serving after the CLI exits, with its output through a log writer that caps and rotates its
 * log file (never our stdout: a child holding it open would keep CI waiting).
 */
export async function startProcess(opts: StartOptions): Promise<number> {
  await mkdir(dirname(opts.logFile), { recursive: true });
  const { pipe } = await startLogWriter(opts.logFile, opts.logCap ?? logCapFromEnv());
  const fd = pipe;
  try {
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !NOT_INHERITED.test(k)));
    const child = spawn('/bin/sh', ['-c', `exec ${opts.command}`], {
      cwd: opts.cwd,
      // The tag marks every process the service starts, daemons that leave its group included:
      // stopping the version finds them by it (see stopProcess).
      env: { ...inherited, ...opts.env, PORT: String(opts.port), [SERVICE_TAG]: opts.tag ?? opts.logFile },
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
    // The service holds the pipe now; this process lets go of its end.
    pipe.destroy();
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
 * SIGTERM to the group and to every process carrying the version's `tag` (daemons that left the
 * group), then SIGKILL to what has not gone within `graceMs`. The grace is real elapsed time (a
 * monotonic timer, not the injectable clock): a real process is waited for.
 */
export async function stopProcess(pid: number, graceMs = 5_000, tag?: string): Promise<void> {
  const tagged = () => (tag ? taggedProcesses((t) => t === tag) : Promise.resolve([] as number[]));
  const group = signalGroup(pid, 'SIGTERM');
  const others = await tagged();
  if (!group && others.length === 0) return;
  others.forEach((p) => signalOne(p, 'SIGTERM'));
  const left = async () => (await isRunning(pid)) || (await tagged()).length > 0;
  const until = performance.now() + graceMs;
  while (performance.now() < until) {
    if (!(await left())) return;
    await sleep(50);
  }
  signalGroup(pid, 'SIGKILL');
  (await tagged()).forEach((p) => signalOne(p, 'SIGKILL'));
  const killDeadline = performance.now() + 2_000;
  while (performance.now() < killDeadline && (await left())) await sleep(20);
}

async function stopAll(pids: number[], again: () => Promise<number[]>, graceMs: number): Promise<void> {
  if (pids.length === 0) return;
  pids.forEach((p) => signalOne(p, 'SIGTERM'));
  const until = performance.now() + graceMs;
  while (performance.now() < until && (await again()).length > 0) await sleep(50);
  (await again()).forEach((p) => signalOne(p, 'SIGKILL'));
  const killDeadline = performance.now() + 2_000;
  while (performance.now() < killDeadline && (await again()).length > 0) await sleep(20);
}

function signalOne(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
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
