import { requestAbort, whoAmI } from '../../lib/rollout/control.js';
import type { Runtime } from '../../lib/runtime.js';
import { interruptionLines, reconcile } from '../reconcile.js';
import type { CommandOutcome } from './approve.js';

/**
 * `ml-rollout abort --env NAME [--reason TEXT]`: the running (or paused) rollout rolls back now,
 * verified, as after a failed gate; its `deploy` exits 3. Exit 2 with one line when none runs.
 */
export async function abort(rt: Runtime, environment: string, reason: string | null): Promise<CommandOutcome> {
  const found = await reconcile(rt, environment);
  const aborted = await requestAbort(rt, environment, { by: whoAmI(), reason });
  const out = interruptionLines(found);
  if (!aborted) return { code: 2, out, err: [`ml-rollout: no rollout of ${environment} is running`] };
  const when = aborted.waiting ? 'it was waiting for approval: it rolls back now' : 'it rolls back at its next check';
  out.push(`aborting rollout ${aborted.rolloutId} of ${aborted.version}: ${when} (by ${aborted.request.by}${reason ? `: ${reason}` : ''})`);
  return { code: 0, out, err: [] };
}
