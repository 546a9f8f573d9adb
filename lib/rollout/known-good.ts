import { isoAt } from '../clock.js';
import { RolloutStatus, type KnownGood, type Release } from '../state/types.js';
import type { Runtime } from '../runtime.js';
import { updateRecord } from './record.js';
import { readKnownGood } from './snapshot.js';
import { recordAnswers } from './answers.js';
import type { PlannedState } from './state.js';

/** How many earlier known-good releases are kept for `rollback`. */
const HISTORY = 5;

/** The release this rollout deployed, as its last phase left it. */
export function releaseOf(state: PlannedState): Release {
  const { plan } = state;
  const last = plan.phases.at(-1);
  return {
    name: plan.name,
    version: plan.version,
    digest: plan.digest,
    source: plan.release,
    settings: last?.settings ?? {},
    ...(state.phaseRun?.targetState ? { targetState: state.phaseRun.targetState } : {}),
    plan,
  };
}

/** Pushes `release` as the environment's known-good (the former one moves into history). */
export function pushKnownGood(previous: KnownGood | null, environment: string, release: Release, at: string): KnownGood {
  if (!previous) return { environment, current: release, previous: [], recordedAt: at };
  const history = previous.current.digest === release.digest ? previous.previous : [previous.current, ...previous.previous];
  return { environment, current: release, previous: history.filter((r) => r.digest !== release.digest).slice(0, HISTORY), recordedAt: at };
}

/** RecordKnownGood: every gate passed. */
export async function recordKnownGood(rt: Runtime, state: PlannedState): Promise<void> {
  const { plan } = state;
  const at = isoAt(rt.clock);
  // Before the known-good itself: a release is never known-good without the answers it gave.
  await recordAnswers(rt, state);
  // An unreadable known-good.json is rewritten whole: the snapshot's release (what served) becomes its history.
  const { knownGood, unreadable } = await readKnownGood(rt.state, plan.environment);
  const before = unreadable && state.snapshot?.previous ? pushKnownGood(null, plan.environment, state.snapshot.previous, at) : knownGood;
  const release = releaseOf(state);
  const finished = (await rt.target(plan.target).finish?.(plan, state.snapshot?.previous ?? null)) ?? {};
  if (Object.keys(finished).length) release.targetState = { ...release.targetState, ...finished };
  await rt.state.putKnownGood(pushKnownGood(before, plan.environment, release, at));
  const serving = await rt.state.getServing(plan.environment);
  if (serving) await rt.state.putServing({ ...serving, phase: null, updatedAt: at });
  await updateRecord(rt, plan, state.rolloutId, (r) => {
    r.status = RolloutStatus.Succeeded;
    r.finishedAt = at;
  });
}
