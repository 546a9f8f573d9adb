import { approveRollout, whoAmI } from '../../lib/rollout/control.js';
import type { Runtime } from '../../lib/runtime.js';
import { interruptionLines, reconcile } from '../reconcile.js';

/** What `approve` printed and its exit code (0: a rollout waited and goes on; 2: none waited). */
export interface CommandOutcome {
  code: number;
  out: string[];
  err: string[];
}

/**
 * `ml-rollout approve --env NAME`: the rollout paused for approval goes on. Works from any
 * terminal: the pause lives in the state store, where the engine that runs the rollout watches.
 */
export async function approve(rt: Runtime, environment: string): Promise<CommandOutcome> {
  // A rollout whose engine is gone waits for nobody: recorded as interrupted, it is not approved.
  const found = await reconcile(rt, environment);
  const approved = await approveRollout(rt, environment, whoAmI());
  const out = interruptionLines(found);
  if (!approved) return { code: 2, out, err: [`ml-rollout: no rollout of ${environment} is waiting for approval`] };
  out.push(`approved: rollout ${approved.rolloutId} of ${approved.version} goes on after ${approved.phase} (by ${approved.by})`);
  return { code: 0, out, err: [] };
}
