import { writeFile } from 'node:fs/promises';
import { interruptRollout, type Interruption } from '../lib/rollout/interrupt.js';
import type { Runtime } from '../lib/runtime.js';
import { unlessInvalid } from '../lib/state/files.js';
import { RolloutStatus } from '../lib/state/types.js';
import { engineAlive, localOwnerPid, processAlive, runFile, unfinishedRuns, type RunInfo } from './runs.js';

/** Creates `path` exclusively; false when another process did first. */
async function claim(path: string): Promise<boolean> {
  try {
    await writeFile(path, `${process.pid}\n`, { flag: 'wx' });
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

/** What the command found of the environment's runs. */
export interface Reconciled {
  /** The run whose engine is alive, if any. */
  active: RunInfo | null;
  /** Rollouts whose engine was found gone, now recorded as interrupted and notified. */
  interrupted: Interruption[];
  /** A lock left by a dead owner that no run accounted for, now released. */
  staleLock: { rolloutId: string; version: string } | null;
}

/**
 * Run by every command that touches an environment: a run whose engine process is gone while
 * its record still says running is recorded as interrupted (lib/rollout/interrupt.ts); a lock
 * whose local owner is gone is released.
 */
export async function reconcile(rt: Runtime, environment: string): Promise<Reconciled> {
  let active: RunInfo | null = null;
  const interrupted: Interruption[] = [];
  for (const run of await unfinishedRuns(rt.home, environment)) {
    if (!run.info) continue; // not started yet (or never did: then it changed nothing)
    if (await engineAlive(run.info.pid)) {
      active = run.info;
      continue;
    }
    // Two commands may find the same dead engine at once: one of them records it.
    if (!(await claim(runFile.reconciled(run.dir)))) continue;
    const i = await interruptRollout(rt, environment, run.info.rolloutId, `its engine process ${run.info.pid} is gone`);
    if (i) interrupted.push(i);
  }
  let staleLock: Reconciled['staleLock'] = null;
  // A lock file that is not valid holds nothing: AcquireLock takes it over, unlock removes it.
  const lock = await unlessInvalid(rt.locks.get(environment));
  const ownerPid = lock ? localOwnerPid(lock.owner) : null;
  if (lock && ownerPid !== null && !processAlive(ownerPid)) {
    // A rollout run inside an earlier CLI process (before engines ran apart) or a crashed one.
    const i = await interruptRollout(rt, environment, lock.rolloutId, `the process ${ownerPid} that held its lock is gone`);
    if (i) interrupted.push(i);
    else if ((await unlessInvalid(rt.state.getRollout(environment, lock.rolloutId)))?.status !== RolloutStatus.Running) {
      await rt.locks.release(environment, lock.rolloutId);
    }
    if (!i) staleLock = { rolloutId: lock.rolloutId, version: lock.version };
  }
  return { active, interrupted, staleLock };
}

/** One line per interruption found: what it reached, what serves, that it was notified. */
export function interruptionLines(r: Reconciled): string[] {
  const lines = r.interrupted.map(
    (i) =>
      `! rollout ${i.record.id} of ${i.record.version} was ${i.record.failure?.message ?? 'interrupted'}` +
      `${i.lockReleased ? '; its lock is released' : ''}; notified`,
  );
  if (r.staleLock)
    lines.push(`! released the stale lock of rollout ${r.staleLock.rolloutId} (${r.staleLock.version}): its process is gone`);
  return lines;
}
