import type { Runtime } from '../lib/runtime.js';
import type { EngineEvent } from './engine.js';
import { follow, STOP_EXIT_CODE, stopSignals } from './follow.js';
import { interruptionLines, reconcile } from './reconcile.js';
import type { RunEnd, RunInfo } from './runs.js';

/** A followed run: its end, or the exit code of a command that stopped following or saw it interrupted. */
export type Watched = { kind: 'ended'; end: RunEnd } | { kind: 'left'; code: number };

/**
 * Follows a started run until it ends. Ctrl-C, SIGTERM, a hang-up or a closed pipe stop the
 * following only, with one line saying the run goes on and how to follow or stop it. An engine
 * that dies is recorded as interrupted (and notified) here and now.
 */
export async function watchRun(
  rt: Runtime,
  environment: string,
  started: { dir: string; info: RunInfo },
  onEvent: (e: EngineEvent) => void,
  out: (l: string) => void,
  err: (l: string) => void,
): Promise<Watched> {
  const stop = stopSignals();
  try {
    const { pid, rolloutId } = started.info;
    const r = await follow(started.dir, pid, onEvent, stop);
    if (r.kind === 'ended') return r;
    if (r.kind === 'stopped') {
      err(
        `ml-rollout: stopped following (${r.reason === 'output' ? 'output closed' : r.reason}); ` +
          `${rolloutId} goes on in engine process ${pid}: follow it with ml-rollout status --env ${environment}, stop it with kill ${pid}`,
      );
      return { kind: 'left', code: STOP_EXIT_CODE[r.reason] };
    }
    const found = await reconcile(rt, environment);
    interruptionLines(found).forEach((l) => out(l));
    err(`ml-rollout: interrupted: the engine process ${pid} of ${rolloutId} is gone`);
    return { kind: 'left', code: 1 };
  } finally {
    stop.dispose();
  }
}
