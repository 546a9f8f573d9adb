import { unlessInvalid } from '../state/files.js';
import { isoAt } from '../clock.js';
import { ErrorName } from '../errors.js';
import { buildMessage } from '../notify/message.js';
import { Outcome, type RolloutNotification } from '../notify/types.js';
import type { Runtime } from '../runtime.js';
import { PhaseStatus, RolloutStatus, type RolloutRecord } from '../state/types.js';

/** What marking a rollout interrupted found and did. */
export interface Interruption {
  record: RolloutRecord;
  /** The phase the rollout had reached, or null when it stopped before its first phase. */
  phase: string | null;
  /** The version serving now, which no gate verified (null: nothing serves). */
  serving: string | null;
  /** The environment's last known-good version, or null. */
  knownGood: string | null;
  /** True when the lock it held was released. */
  lockReleased: boolean;
  notification: RolloutNotification;
}

/**
 * A rollout whose engine is gone (the caller decides that: a dead process, a lapsed lease) ends
 * here: its record says `interrupted` with the phase it reached, its lock is released and its one
 * notification names what serves unverified and the known-good. Null when the rollout had
 * already ended (another command got there first).
 * @param why one line: how the engine was found gone ("engine process 4242 is gone")
 */
export async function interruptRollout(rt: Runtime, environment: string, rolloutId: string, why: string): Promise<Interruption | null> {
  const record = await unlessInvalid(rt.state.getRollout(environment, rolloutId));
  if (!record || record.status !== RolloutStatus.Running) return null;
  const at = isoAt(rt.clock);
  const [serving, knownGood] = await Promise.all([
    unlessInvalid(rt.state.getServing(environment)),
    unlessInvalid(rt.state.getKnownGood(environment)),
  ]);
  const running = record.phases.find((p) => p.status === PhaseStatus.Running);
  const phase = running?.name ?? record.phases.filter((p) => p.status === PhaseStatus.Passed).at(-1)?.name ?? null;
  const kg = knownGood?.current ?? null;
  const what = !serving
    ? 'nothing serves'
    : kg && serving.digest === kg.digest
      ? `the known-good ${kg.version} serves`
      : `${serving.version} serves unverified (known-good: ${kg?.version ?? 'none'})`;
  const message = `interrupted ${phase ? `in ${phase}` : 'before its first phase'}: ${why}; ${what}`;
  if (running) Object.assign(running, { status: PhaseStatus.Failed, finishedAt: at, error: message });
  record.status = RolloutStatus.Interrupted;
  record.failure ??= { phase, error: ErrorName.Interrupted, message };
  record.finishedAt = at;
  await rt.state.putRollout(record);
  const lockReleased = await rt.locks.release(environment, rolloutId);
  const notification: RolloutNotification = {
    outcome: Outcome.Interrupted,
    rolloutId,
    environment,
    name: record.name,
    version: record.version,
    previousVersion: kg?.version ?? null,
    phase,
    reason: { error: ErrorName.Interrupted, message },
    rollback: { ...record.rollback },
    startedAt: record.startedAt,
    finishedAt: at,
    durationMs: Date.parse(at) - Date.parse(record.startedAt),
  };
  await rt.notifier.publish(buildMessage(notification));
  return { record, phase, serving: serving?.version ?? null, knownGood: kg?.version ?? null, lockReleased, notification };
}
