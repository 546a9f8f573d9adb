import { unlessInvalid } from '../state/files.js';
import { isoAt } from '../clock.js';
import { NothingToRollBackError } from '../errors.js';
import type { Runtime } from '../runtime.js';
import type { PlannedState } from './state.js';

/**
 * PrepareRollback (statemachines/rollback.asl.yml): the state a manual rollback runs with — the
 * plan of the release to go back to (the known-good, or the one before it when the known-good
 * serves), and that release as the snapshot to restore.
 */
export async function prepareRollback(rt: Runtime, input: { rolloutId: string; environment: string }): Promise<PlannedState> {
  const [knownGood, serving] = await Promise.all([
    rt.state.getKnownGood(input.environment),
    unlessInvalid(rt.state.getServing(input.environment)),
  ]);
  // What serves unverified (an interrupted rollout) goes back to the known-good itself; only
  // when the known-good serves is the one before it the way back.
  const servesKnownGood = !!knownGood && serving?.digest === knownGood.current.digest && serving.phase === null;
  const target = knownGood && !servesKnownGood ? knownGood.current : knownGood?.previous[0];
  if (!knownGood || !target) {
    throw new NothingToRollBackError(
      `environment ${input.environment} has no earlier known-good version to roll back to` +
        (knownGood ? ` (only ${knownGood.current.version})` : ''),
    );
  }
  if (!target.plan) throw new NothingToRollBackError(`version ${target.version} of ${input.environment} was recorded without its plan`);
  return {
    rolloutId: input.rolloutId,
    bundle: target.source.kind === 'dir' ? { path: target.source.path } : { bucket: target.source.bucket, key: target.source.key },
    plan: target.plan,
    snapshot: { previous: target, unchanged: false },
  };
}

/** RecordRollback: the restored release is the known-good again; the one rolled back from leaves the history. */
export async function recordRollback(rt: Runtime, state: PlannedState): Promise<void> {
  const knownGood = await rt.state.getKnownGood(state.plan.environment);
  const restored = state.snapshot?.previous;
  if (!knownGood || !restored) return;
  const rest = knownGood.previous.filter((r) => r.digest !== restored.digest);
  await rt.state.putKnownGood({ environment: knownGood.environment, current: restored, previous: rest, recordedAt: isoAt(rt.clock) });
}
