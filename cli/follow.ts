import { open } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { EngineEvent } from './engine.js';
import { engineAlive, readRunEnd, RUN_ENDED, runFile, type RunEnd } from './runs.js';

/** Why following stopped without the run having ended: the run goes on. */
export const StopReason = {
  SIGINT: 'SIGINT',
  SIGTERM: 'SIGTERM',
  SIGHUP: 'SIGHUP',
  /** stdout or stderr could not be written (a closed pipe: `deploy | head`). */
  Output: 'output',
} as const;
export type StopReason = (typeof StopReason)[keyof typeof StopReason];

/** The exit code of a command that stopped following: 128 + the signal, as a shell reports it. */
export const STOP_EXIT_CODE: Record<StopReason, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129, output: 141 };

export type FollowOutcome =
  | { kind: 'ended'; end: RunEnd }
  /** The engine process is gone without writing its end (killed, crashed). */
  | { kind: 'gone' }
  | { kind: 'stopped'; reason: StopReason };

/** How often the events file is read, ms. */
const POLL_MS = 100;

/**
 * A way to stop following: Ctrl-C, a closed terminal, SIGTERM from a CI runner, or a write
 * error on stdout/stderr. None of them reaches the engine, which runs in its own session.
 * Call `dispose` when done; the write-error listeners stay, so a later write cannot crash us.
 */
export function stopSignals(): { stopped: Promise<StopReason>; reason: () => StopReason | null; dispose: () => void } {
  let reason: StopReason | null = null;
  let resolve: (r: StopReason) => void = () => undefined;
  const stopped = new Promise<StopReason>((r) => (resolve = r));
  const stop = (r: StopReason) => {
    reason ??= r;
    resolve(reason);
  };
  const handlers = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((s) => [s, () => stop(StopReason[s])] as const);
  for (const [s, h] of handlers) process.on(s, h);
  const onWriteError = () => stop(StopReason.Output);
  process.stdout.on('error', onWriteError);
  process.stderr.on('error', onWriteError);
  return {
    stopped,
    reason: () => reason,
    dispose: () => {
      for (const [s, h] of handlers) process.off(s, h);
    },
  };
}

/**
 * Follows a run from its events file: each EngineEvent to `onEvent` in order, until the engine
 * writes its end, the engine is gone, or `stop` says to stop following.
 */
export async function follow(
  dir: string,
  pid: number,
  onEvent: (e: EngineEvent) => void,
  stop: { stopped: Promise<StopReason>; reason: () => StopReason | null },
): Promise<FollowOutcome> {
  const path = runFile.events(dir);
  let offset = 0;
  let partial = '';
  const buf = Buffer.alloc(1 << 16);
  // Reads what was appended since the last read; true once the RunEnded line was read.
  const drain = async (): Promise<boolean> => {
    const fh = await open(path, 'r').catch(() => null);
    if (!fh) return false;
    try {
      for (;;) {
        const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
        if (bytesRead === 0) return false;
        offset += bytesRead;
        const lines = (partial + buf.subarray(0, bytesRead).toString('utf8')).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) {
          if (!line.trim()) continue;
          const e = JSON.parse(line) as EngineEvent | { type: typeof RUN_ENDED };
          if (e.type === RUN_ENDED) return true;
          if (stop.reason()) return false;
          onEvent(e as EngineEvent);
        }
      }
    } finally {
      await fh.close();
    }
  };
  for (;;) {
    const reason = stop.reason();
    if (reason) return { kind: 'stopped', reason };
    if (await drain()) {
      const end = await readRunEnd(dir);
      if (end) return { kind: 'ended', end };
    }
    if (!(await engineAlive(pid))) {
      // It may have ended between the read and the check.
      if (await drain()) {
        const end = await readRunEnd(dir);
        if (end) return { kind: 'ended', end };
      }
      const end = await readRunEnd(dir);
      return end ? { kind: 'ended', end } : { kind: 'gone' };
    }
    await Promise.race([sleep(POLL_MS), stop.stopped]);
  }
}
