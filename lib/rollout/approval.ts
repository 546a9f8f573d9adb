import { setTimeout as sleep } from 'node:timers/promises';
import * as z from 'zod';
import { isoAt } from '../clock.js';
import { EngineError, ErrorName, StatesErrorName } from '../errors.js';
import { buildMessage } from '../notify/message.js';
import { Outcome, type RolloutNotification } from '../notify/types.js';
import { logger } from '../observability/logger.js';
import { DEFAULTS } from '../plan/defaults.js';
import type { PlanPhase } from '../plan/plan.js';
import type { ApprovalWait } from '../state/control.js';
import { PhaseStatus } from '../state/types.js';
import type { Runtime } from '../runtime.js';
import { checkAbort, isLocalToken } from './control.js';
import { updateRecord } from './record.js';
import { currentPhase, plannedStateSchema, type CaughtError, type PlannedState } from './state.js';

/** The payload of WaitForApproval (`.waitForTaskToken`): the task token and the whole state. */
export const approvalEventSchema = z.strictObject({ token: z.string().min(1), state: plannedStateSchema });
export type ApprovalEvent = z.infer<typeof approvalEventSchema>;

/** What ends a pause with approval: the task's result at $.approval. */
export interface Approval {
  approvedBy: string;
  /** ISO-8601 */
  approvedAt: string;
}

/** s the pause of this phase waits: the phase's own, else the manifest's, else 3600. */
export function approvalTimeoutOf(phase: PlanPhase): number {
  return phase.approvalTimeoutSeconds ?? DEFAULTS.approvalTimeoutSeconds;
}

/** The commands that end a pause, as a person would type them where the rollout runs. */
export function approvalCommands(environment: string, token: string): { approveWith: string; abortWith: string } {
  if (isLocalToken(token)) {
    return { approveWith: `ml-rollout approve --env ${environment}`, abortWith: `ml-rollout abort --env ${environment} --reason "…"` };
  }
  const data = JSON.stringify({ environment });
  return { approveWith: `sls invoke -f approve --data '${data}'`, abortWith: `sls invoke -f abort --data '${data}'` };
}

/**
 * WaitForApproval's function: the phase's gate passed and it waits for a person. Keeps the token
 * in the state store (approve/abort end the wait with it), marks the record and sends the one
 * notification that says how to approve or abort; returns at once. On AWS Step Functions then
 * waits, at no cost, until SendTaskSuccess/SendTaskFailure or the task's timeout; locally the
 * engine watches the store ({@link waitForDecision}).
 */
export async function awaitApproval(rt: Runtime, event: ApprovalEvent): Promise<ApprovalWait> {
  const { state, token } = event;
  const { plan } = state;
  const phase = currentPhase(state);
  await checkAbort(rt, state, phase.name);
  const timeoutSeconds = state.phaseRun?.approvalTimeoutSeconds ?? approvalTimeoutOf(phase);
  const now = rt.clock.now();
  const wait: ApprovalWait = {
    environment: plan.environment,
    rolloutId: state.rolloutId,
    version: plan.version,
    phase: phase.name,
    phaseIndex: phase.index,
    token,
    since: new Date(now).toISOString(),
    expiresAt: new Date(now + timeoutSeconds * 1000).toISOString(),
    timeoutSeconds,
  };
  await rt.control.putApproval(wait);
  const record = await updateRecord(rt, plan, state.rolloutId, (r) => {
    r.approval = { phase: phase.name, since: wait.since, expiresAt: wait.expiresAt };
  });
  const n: RolloutNotification = {
    outcome: Outcome.AwaitingApproval,
    rolloutId: state.rolloutId,
    environment: plan.environment,
    name: plan.name,
    version: plan.version,
    previousVersion: record.previousVersion ?? state.snapshot?.previous?.version ?? null,
    phase: phase.name,
    reason: null,
    rollback: null,
    startedAt: record.startedAt,
    finishedAt: wait.since,
    durationMs: now - Date.parse(record.startedAt),
    approval: { since: wait.since, expiresAt: wait.expiresAt, ...approvalCommands(plan.environment, token) },
  };
  try {
    await rt.notifier.publish(buildMessage(n));
  } catch (err) {
    // A lost notification must not end the pause: `get` and the dashboard show it too.
    logger.warn('waiting notification not sent', { error: (err as Error).message });
  }
  // An abort that came between the first look and the stored token would find no wait to end.
  await checkAbort(rt, state, phase.name);
  return wait;
}

/**
 * The local engine's half of WaitForApproval (Step Functions' on AWS): watches the state store
 * until `approve` (→ the Approval), `abort` (→ RolloutAbortedError) or the pause's end. The
 * engine's own TimeoutSeconds ends the task with States.Timeout first; this stops just after.
 */
export async function waitForDecision(
  rt: Runtime,
  event: ApprovalEvent,
  opts: { pollMs?: number; signal?: AbortSignal } = {},
): Promise<Approval> {
  const { state, token } = event;
  const environment = state.plan.environment;
  const phase = currentPhase(state);
  const pollMs = opts.pollMs ?? DEFAULTS.approvalPollMs;
  for (;;) {
    const wait = await rt.control.getApproval(environment);
    if (!wait || wait.token !== token) throw new EngineError(`${phase.name}: the pause's record left the state store`);
    await checkAbort(rt, state, phase.name);
    if (wait.approved) {
      const approval = { approvedBy: wait.approved.by, approvedAt: wait.approved.at };
      await rt.control.clearApproval(environment, state.rolloutId);
      await updateRecord(rt, state.plan, state.rolloutId, (r) => {
        if (r.approval) Object.assign(r.approval, { approvedBy: approval.approvedBy, approvedAt: approval.approvedAt });
      });
      return approval;
    }
    if (rt.clock.now() >= Date.parse(wait.expiresAt) + pollMs) {
      const timedOut = new Error(`${phase.name}: no approval within ${wait.timeoutSeconds} s`);
      timedOut.name = StatesErrorName.Timeout;
      throw timedOut;
    }
    await sleep(pollMs, undefined, opts.signal ? { signal: opts.signal } : undefined);
  }
}

/**
 * ApprovalTimedOut: WaitForApproval ended with States.Timeout (nobody approved in time). Records
 * why on the phase, clears the pause, and returns the error the rollback reports (at $.error).
 */
export async function approvalTimedOut(rt: Runtime, state: PlannedState): Promise<CaughtError> {
  const phase = currentPhase(state);
  const wait = await rt.control.getApproval(state.plan.environment);
  const mine = wait?.rolloutId === state.rolloutId ? wait : null;
  const seconds = mine?.timeoutSeconds ?? state.phaseRun?.approvalTimeoutSeconds ?? approvalTimeoutOf(phase);
  const message = `${phase.name}: nobody approved within ${seconds} s${mine ? ` (waiting since ${mine.since})` : ''}`;
  await updateRecord(rt, state.plan, state.rolloutId, (r) => {
    const p = r.phases[phase.index];
    if (p) Object.assign(p, { status: PhaseStatus.Failed, finishedAt: isoAt(rt.clock), error: message });
    r.failure ??= { phase: phase.name, error: ErrorName.ApprovalTimedOut, message };
  });
  await rt.control.clearApproval(state.plan.environment, state.rolloutId);
  return { Error: ErrorName.ApprovalTimedOut, Cause: message };
}
