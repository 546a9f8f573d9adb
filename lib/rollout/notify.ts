import { isoAt } from '../clock.js';
import { describeError, ErrorName } from '../errors.js';
import { buildMessage } from '../notify/message.js';
import { Outcome, type RolloutNotification } from '../notify/types.js';
import { RolloutStatus, type RolloutRecord } from '../state/types.js';
import type { Runtime } from '../runtime.js';
import { updateRecord } from './record.js';
import { costOfRecordUsage, costOfTransitions, type CostEstimate } from './cost.js';
import type { RolloutState } from './state.js';

const FINAL_STATUS: Record<Outcome, RolloutStatus> = {
  [Outcome.Succeeded]: RolloutStatus.Succeeded,
  [Outcome.RolledBack]: RolloutStatus.RolledBack,
  [Outcome.Rejected]: RolloutStatus.Rejected,
  [Outcome.RollbackFailed]: RolloutStatus.Failed,
  [Outcome.Failed]: RolloutStatus.Failed,
  [Outcome.Interrupted]: RolloutStatus.Interrupted,
  [Outcome.AwaitingApproval]: RolloutStatus.Running,
};

/**
 * Notify: the one message of a terminal outcome, built from the rollout's record (status), or
 * from the caught error when the rollout was rejected before it had one.
 */
export async function notify(rt: Runtime, outcome: Outcome, state: RolloutState, execution?: string): Promise<RolloutNotification> {
  const finishedAt = isoAt(rt.clock);
  const plan = state.plan;
  let record: RolloutRecord | null = null;
  // A rejected rollout never held the lock: the environment's state belongs to someone else.
  if (plan && outcome !== Outcome.Rejected) {
    // A record that cannot be written (a full disk) must not keep the message from going out.
    record = await updateRecord(rt, plan, state.rolloutId, (r) => {
      r.status = FINAL_STATUS[outcome];
      r.finishedAt ??= finishedAt;
      const caught = outcome === Outcome.RollbackFailed ? state.rollbackError : state.error;
      if (outcome !== Outcome.Succeeded && caught) {
        r.failure ??= { phase: null, error: caught.Error, message: caught.Cause };
        if (outcome === Outcome.RollbackFailed) r.rollback.error ??= caught.Cause;
      }
      // In the same write as the outcome: a second read-modify-write could find a record gone bad.
      r.cost = rolloutCost(rt, r, rt.clock.now());
    }).catch((err: unknown) => {
      process.stderr.write(`ml-rollout: ${state.rolloutId}: could not write the rollout record (${outcome}): ${describeError(err)}\n`);
      return null;
    });
  }
  const cost = record?.cost ?? rolloutCost(rt, record, rt.clock.now());
  const failure = record?.failure ?? (state.error ? { phase: null, error: state.error.Error, message: state.error.Cause } : null);
  const startedAt = record?.startedAt ?? null;
  const n: RolloutNotification = {
    outcome,
    rolloutId: state.rolloutId,
    environment: plan?.environment ?? null,
    name: plan?.name ?? null,
    version: plan?.version ?? null,
    previousVersion: record?.previousVersion ?? state.snapshot?.previous?.version ?? null,
    phase: outcome === Outcome.Succeeded ? null : (failure?.phase ?? null),
    reason:
      outcome === Outcome.Succeeded || !failure
        ? null
        : outcome === Outcome.RollbackFailed && record?.rollback.error
          ? { error: ErrorName.RollbackFailed, message: `${failure.message}; then ${record.rollback.error}` }
          : { error: failure.error, message: failure.message, ...('check' in failure && failure.check ? { check: failure.check } : {}) },
    rollback: record ? { ...record.rollback } : null,
    startedAt,
    finishedAt,
    durationMs: startedAt ? Date.parse(finishedAt) - Date.parse(startedAt) : null,
    ...(execution ? { execution } : {}),
    cost,
  };
  await rt.notifier.publish(buildMessage(n));
  return n;
}

/**
 * The rollout's AWS cost so far: from the states its execution entered where the engine runs
 * here, else estimated from its record (a Lambda does not see its execution's history).
 */
function rolloutCost(rt: Runtime, record: RolloutRecord | null, now: number): CostEstimate {
  const states = rt.executionStates?.();
  if (states?.length) return costOfTransitions(states, now);
  const phases = record?.phases.filter((p) => p.startedAt) ?? [];
  return costOfRecordUsage({
    phases: phases.length,
    samples: phases.reduce((n, p) => n + (p.series?.length ?? p.measurements?.samples ?? 0), 0),
    phaseSeconds: phases.reduce(
      (s, p) => s + (p.finishedAt && p.startedAt ? (Date.parse(p.finishedAt) - Date.parse(p.startedAt)) / 1000 : 0),
      0,
    ),
  });
}
