import { isoAt } from '../clock.js';
import { StateFileInvalidError } from '../errors.js';
import type { Plan } from '../plan/plan.js';
import { PhaseStatus, RolloutStatus, type KnownGood, type Release, type StateStore } from '../state/types.js';
import type { Runtime } from '../runtime.js';
import { ProbeState, type Target } from '../targets/types.js';
import { updateRecord } from './record.js';
import type { PlannedState, Snapshot } from './state.js';

/**
 * With no known-good on record (a first rollout from this state store), what an AWS target serves
 * now is what a rollback must put back: an Elastic Beanstalk environment cannot be "stopped".
 * A local environment has nothing to adopt (its files would not be on record), except to repair
 * an unreadable known-good.json: then the version serving.json says ended its rollout (phase
 * null, never an unverified one) and whose process runs is what a rollback puts back.
 */
async function adopted(plan: Plan, target: Target, state: StateStore, repairing: boolean): Promise<Release | null> {
  if (plan.target.type === 'local' && !repairing) return null;
  const current = await target.current(plan);
  if (!current) return null;
  if (plan.target.type === 'local') {
    const serving = await state.getServing(plan.environment).catch(() => null);
    if (serving?.digest !== current.digest || serving.phase !== null || current.source?.kind !== 'dir') return null;
  }
  return {
    name: plan.name,
    version: current.version,
    digest: current.digest,
    source: current.source ?? plan.release,
    settings: current.settings,
    ...(current.targetState ? { targetState: current.targetState } : {}),
  };
}

/** The known-good on record, or the problem of a known-good file that cannot be read. */
export async function readKnownGood(state: StateStore, environment: string): Promise<{ knownGood: KnownGood | null; unreadable?: string }> {
  try {
    return { knownGood: await state.getKnownGood(environment) };
  } catch (err) {
    if (err instanceof StateFileInvalidError) return { knownGood: null, unreadable: err.message };
    throw err;
  }
}

/**
 * TakeSnapshot: the known-good release is what a rollback restores. When this very bundle is
 * already the known-good and serves healthy, the rollout has nothing to do.
 */
export async function takeSnapshot(rt: Runtime, state: PlannedState): Promise<Snapshot> {
  const { plan } = state;
  const target = rt.target(plan.target);
  const { knownGood, unreadable } = await readKnownGood(rt.state, plan.environment);
  const previous = knownGood?.current ?? (await adopted(plan, target, rt.state, unreadable !== undefined));
  let unchanged = false;
  if (previous?.digest === plan.digest && !unreadable) {
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
  return {
    previous,
    unchanged,
    ...(unreadable
      ? { repaired: `${unreadable}; ${previous ? `taken from what serves: ${previous.version}` : 'nothing verified serves'}` }
      : {}),
  };
}
