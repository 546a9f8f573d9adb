import { isoAt } from '../clock.js';
import type { Plan } from '../plan/plan.js';
import { PhaseStatus, RolloutStatus, type Release } from '../state/types.js';
import type { Runtime } from '../runtime.js';
import { ProbeState, type Target } from '../targets/types.js';
import { updateRecord } from './record.js';
import type { PlannedState, Snapshot } from './state.js';

/**
 * With no known-good on record (a first rollout from this state store), what an AWS target serves
 * now is what a rollback must put back: an Elastic Beanstalk environment cannot be "stopped".
 * A local environment has nothing to adopt: its files would not be on record.
 */
async function adopted(plan: Plan, target: Target): Promise<Release | null> {
  if (plan.target.type === 'local') return null;
  const current = await target.current(plan);
  if (!current) return null;
  return {
    name: plan.name,
    version: current.version,
    digest: current.digest,
    source: plan.release,
    settings: current.settings,
    ...(current.targetState ? { targetState: current.targetState } : {}),
  };
}

/**
 * TakeSnapshot: the known-good release is what a rollback restores. When this very bundle is
 * already the known-good and serves healthy, the rollout has nothing to do.
 */
export async function takeSnapshot(rt: Runtime, state: PlannedState): Promise<Snapshot> {
  const { plan } = state;
  const target = rt.target(plan.target);
  const knownGood = await rt.state.getKnownGood(plan.environment);
  const previous = knownGood?.current ?? (await adopted(plan, target));
  let unchanged = false;
  if (previous?.digest === plan.digest) {
    const current = await target.current(plan);
    unchanged = current?.digest === plan.digest && (await target.probe(plan)).state === ProbeState.Stable;
  }
  await updateRecord(rt, plan, state.rolloutId, (r) => {
    r.previousVersion = previous?.version ?? null;
    if (unchanged) {
      r.status = RolloutStatus.Unchanged;
      r.phases.forEach((p) => (p.status = PhaseStatus.Skipped));
      r.finishedAt = isoAt(rt.clock);
    }
  });
  return { previous, unchanged };
}
