/*
 * What a person asks of a running rollout (abort it, approve its pause), kept in the state store
 * beside the lock so that every command, the dashboard and the Lambda functions reach the same
 * rollout wherever its engine runs. Keyed by the rollout id: a flag left by one rollout never
 * touches the next (and ReleaseLock clears them at the rollout's end).
 */

/** `ml-rollout abort`: the rollout rolls back at its next check. */
export interface AbortRequest {
  environment: string;
  rolloutId: string;
  /** Who asked: user@host locally, the invoker named in the event on AWS. */
  by: string;
  /** Why, as given (--reason); null when none was. */
  reason: string | null;
  /** ISO-8601 */
  at: string;
}

/** A paused rollout: written by the approval wait when it starts, read by `approve` and `abort`. */
export interface ApprovalWait {
  environment: string;
  rolloutId: string;
  version: string;
  /** The phase whose gate passed and that waits. */
  phase: string;
  phaseIndex: number;
  /**
   * What ends the wait: on AWS the Step Functions task token (SendTaskSuccess / SendTaskFailure),
   * locally `local:…` (the local engine waits on this record itself).
   */
  token: string;
  /** ISO-8601 the wait began */
  since: string;
  /** ISO-8601 the wait times out (since + timeoutSeconds): the rollout then rolls back. */
  expiresAt: string;
  /** s */
  timeoutSeconds: number;
  /** Set by `approve` where the local engine waits on the record. */
  approved?: { by: string; at: string };
}

/** Where the requests live: files under $ML_ROLLOUT_HOME/envs/<env>/, or S3 objects beside the lock. */
export interface ControlStore {
  getAbort(environment: string): Promise<AbortRequest | null>;
  putAbort(request: AbortRequest): Promise<void>;
  getApproval(environment: string): Promise<ApprovalWait | null>;
  putApproval(wait: ApprovalWait): Promise<void>;
  /** Removes the approval wait if it belongs to `rolloutId`. */
  clearApproval(environment: string, rolloutId: string): Promise<void>;
  /** Removes both requests where they belong to `rolloutId` (the rollout has ended). */
  clear(environment: string, rolloutId: string): Promise<void>;
}
