import { hostname, userInfo } from 'node:os';
import { isoAt } from '../clock.js';
import { ErrorName, RolloutAbortedError } from '../errors.js';
import type { AbortRequest } from '../state/control.js';
import { PhaseStatus, RolloutStatus, type RolloutRecord } from '../state/types.js';
import type { Runtime } from '../runtime.js';
import { updateRecord } from './record.js';
import type { PlannedState } from './state.js';

/**
 * Ends a Step Functions callback task (`.waitForTaskToken`) with the token it handed out.
 * Built in one place (lib/aws/task-callbacks.ts) and passed in, so lib/ stays free of SDK clients.
 */
export interface TaskCallbacks {
  /** The task goes on with `output`; false when Step Functions waits on the token no more (timed out, ended). */
  succeed(token: string, output: Record<string, unknown>): Promise<boolean>;
  /** The task fails with `error` (an ErrorName the ASL matches); false when the token is stale. */
  fail(token: string, error: string, cause: string): Promise<boolean>;
}

/** Tokens of the local engine's waits: the engine watches the state store itself. */
export const LOCAL_TOKEN_PREFIX = 'local:';

export function isLocalToken(token: string): boolean {
  return token.startsWith(LOCAL_TOKEN_PREFIX);
}

/** user@host of this process: who approved or aborted, as the record and notification name them. */
export function whoAmI(): string {
  let user = process.env.USER ?? 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (some containers): keep $USER.
  }
  return `${user}@${hostname()}`;
}

/** The rollout that holds the environment and is still running, or null. */
export async function runningRollout(rt: Runtime, environment: string): Promise<RolloutRecord | null> {
  const lock = await rt.locks.get(environment);
  if (!lock) return null;
  const record = await rt.state.getRollout(environment, lock.rolloutId);
  // A manual rollback holds the lock too but keeps no rollout record: nothing to abort or approve.
  return record && record.status === RolloutStatus.Running ? record : null;
}

/** "aborted by ana@laptop: p95 looks wrong" — the reason a rolled-back rollout gives. */
export function abortMessage(request: AbortRequest): string {
  return `aborted by ${request.by}${request.reason ? `: ${request.reason}` : ' (no reason given)'}`;
}

/** Writes an abort into a record: the phase failed with the reason, the first failure names it. */
export function markAborted(r: RolloutRecord, phase: string, request: AbortRequest, at: string): string {
  const message = `${phase}: ${abortMessage(request)}`;
  const p = r.phases.find((x) => x.name === phase);
  if (p && p.status !== PhaseStatus.Failed) Object.assign(p, { status: PhaseStatus.Failed, finishedAt: at, error: message });
  r.failure ??= { phase, error: ErrorName.RolloutAborted, message };
  r.abort = { by: request.by, reason: request.reason, at: request.at };
  return message;
}

/**
 * Called by the tasks that run while a rollout waits (CheckStable, SampleGate, the approval wait):
 * an abort asked for this rollout → its record says who and why, and RolloutAbortedError sends
 * the state machine to its verified rollback. One read of the store otherwise.
 */
export async function checkAbort(rt: Runtime, state: PlannedState, phase: string): Promise<void> {
  const request = await rt.control.getAbort(state.plan.environment);
  if (!request || request.rolloutId !== state.rolloutId) return;
  let message = `${phase}: ${abortMessage(request)}`;
  await updateRecord(rt, state.plan, state.rolloutId, (r) => {
    message = markAborted(r, phase, request, isoAt(rt.clock));
  });
  throw new RolloutAbortedError(message);
}

/** What `abort` reached. */
export interface AbortResult {
  rolloutId: string;
  version: string;
  /** The rollout was paused for approval (its wait was ended at once). */
  waiting: boolean;
  request: AbortRequest;
}

/**
 * `ml-rollout abort` / the abort function: flags the running rollout; its next check (a poll, a
 * gate sample, a pause) rolls it back. A rollout paused on AWS runs no task while it waits, so its
 * wait is failed with the stored token at once (RolloutAborted). Null when no rollout runs.
 */
export async function requestAbort(
  rt: Runtime,
  environment: string,
  ask: { by: string; reason: string | null },
  callbacks?: TaskCallbacks,
): Promise<AbortResult | null> {
  const record = await runningRollout(rt, environment);
  if (!record) return null;
  const request: AbortRequest = { environment, rolloutId: record.id, by: ask.by, reason: ask.reason, at: isoAt(rt.clock) };
  await rt.control.putAbort(request);
  const wait = await rt.control.getApproval(environment);
  const waiting = wait?.rolloutId === record.id && !wait.approved;
  if (wait && waiting && !isLocalToken(wait.token) && callbacks) {
    // No task of the rollout runs while Step Functions waits: the record is this function's to write.
    const message = markAborted(record, wait.phase, request, request.at);
    await rt.state.putRollout(record);
    await callbacks.fail(wait.token, ErrorName.RolloutAborted, message);
    await rt.control.clearApproval(environment, record.id);
  }
  return { rolloutId: record.id, version: record.version, waiting, request };
}

/** What `approve` let go on. */
export interface ApproveResult {
  rolloutId: string;
  version: string;
  phase: string;
  by: string;
}

/**
 * `ml-rollout approve` / the approve function: the paused rollout goes on. Locally the decision is
 * written beside the wait (the engine watches it); on AWS the stored token ends the task
 * (SendTaskSuccess). Null when no rollout waits (none runs, it is not paused, or its pause timed out).
 */
export async function approveRollout(
  rt: Runtime,
  environment: string,
  by: string,
  callbacks?: TaskCallbacks,
): Promise<ApproveResult | null> {
  const record = await runningRollout(rt, environment);
  if (!record) return null;
  const wait = await rt.control.getApproval(environment);
  if (!wait || wait.rolloutId !== record.id || wait.approved || Date.parse(wait.expiresAt) <= rt.clock.now()) return null;
  const at = isoAt(rt.clock);
  if (isLocalToken(wait.token) || !callbacks) {
    await rt.control.putApproval({ ...wait, approved: { by, at } });
  } else {
    if (record.approval) Object.assign(record.approval, { approvedBy: by, approvedAt: at });
    await rt.state.putRollout(record);
    const taken = await callbacks.succeed(wait.token, { approvedBy: by, approvedAt: at });
    await rt.control.clearApproval(environment, record.id);
    if (!taken) return null;
  }
  return { rolloutId: record.id, version: record.version, phase: wait.phase, by };
}
