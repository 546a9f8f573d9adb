import { isoAt } from '../clock.js';
import { PhaseStatus, RolloutStatus } from '../state/types.js';
import type { Runtime } from '../runtime.js';
import { ProbeState } from '../targets/types.js';
import { updateRecord } from './record.js';
import type { PlannedState, Snapshot } from './state.js';

/**
 * TakeSnapshot: the known-good release is what a rollback restores. When this very bundle is
 * already the known-good and serves healthy, the rollout has nothing to do.
 */
export async function takeSnapshot(rt: Runtime, state: PlannedState): Promise<Snapshot> {
  const { plan } = state;
  const target = rt.target(plan.target);
  const knownGood = await rt.state.getKnownGood(plan.environment);
  const previous = knownGood?.current ?? null;
  let unchanged = false;
  if (previous?.digest === plan.digest) {
    const current = await target.current(plan);
    unchanged = current?.digest === plan.digest && (await target.probe(plan)).state === ProbeState.Stable;
  }
  await updateRecord(rt.state, plan, state.rolloutId, (r) => {
    r.previousVersion = previous?.version ?? null;
    if (unchanged) {
      r.status = RolloutStatus.Unchanged;
      r.phases.forEach((p) => (p.status = PhaseStatus.Skipped));
      r.finishedAt = isoAt(rt.clock);
    }
  });
  return { previous, unchanged };
}
