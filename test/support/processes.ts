import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'ml-rollout.js');

/** A CLI process the test drives with signals: in its own process group, as a shell runs a job. */
export interface RunningCli {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts bin/ml-rollout.js (or, with `shell`, a shell pipeline naming it as $ML_ROLLOUT). */
export function startCli(args: string[], home: string, opts: { shell?: string } = {}): RunningCli {
  const env = { ...process.env, ML_ROLLOUT_HOME: home, ML_ROLLOUT: `${process.execPath} ${BIN}` };
  const child = opts.shell
    ? spawn('/bin/sh', ['-c', opts.shell], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(process.execPath, [BIN, ...args], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => (stdout += d));
  child.stderr?.on('data', (d) => (stderr += d));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  return { child, stdout: () => stdout, stderr: () => stderr, done };
}

/** Polls `check` until it returns a value (not undefined/false/null) or `timeoutMs` passes. */
export async function waitFor<T>(what: string, check: () => Promise<T | null | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** A process that is there and not a zombie (a stopped service whose parent, the engine, has gone awaits a reaper). */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

/** Kills a process (and its group) if it is still there: what a test started must not outlive it. */
export function killIfAlive(pid: number | undefined): void {
  if (!pid) return;
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** The notifications in a state home's outbox, parsed. */
export async function outbox(
  home: string,
): Promise<{ Subject: string; Message: { outcome: string; rolloutId: string; [k: string]: unknown } }[]> {
  const text = await readFile(join(home, 'outbox.jsonl'), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const line = JSON.parse(l) as { Subject: string; Message: string };
      return { Subject: line.Subject, Message: JSON.parse(line.Message) };
    });
}
