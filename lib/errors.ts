/**
 * The rollout domain's errors. Every error a Task handler throws is one of these, and its `name`
 * is what Step Functions (and the local engine) match in Retry/Catch. The names are the
 * `ErrorName` constants below: the ASL file, the handlers and the ASL tests use nothing else.
 */

/** Error names matched by statemachines/*.asl.yml in Retry and Catch. */
export const ErrorName = {
  /** The bundle or its manifest is invalid: permanent, never retried. */
  BundleInvalid: 'BundleInvalid',
  /** Another rollout holds the environment's lock. */
  LockHeld: 'LockHeld',
  /** A gate measured a value past its threshold (or could not measure it). */
  GateFailed: 'GateFailed',
  /** A phase did not become healthy before its deadline. */
  DeadlineExceeded: 'DeadlineExceeded',
  /** The deployed service failed outright (process exited, target reported failure). */
  PhaseFailed: 'PhaseFailed',
  /** A passing fault (throttling, a 5xx from a control plane, a busy file): retried with backoff. */
  Transient: 'TransientError',
  /** A permanent fault of the target (missing resource, access denied, bad parameter). */
  TargetError: 'TargetError',
  /** Restoring the snapshot failed or the restored version is not healthy. */
  RollbackFailed: 'RollbackFailed',
  /** A manual rollback was asked for where there is nothing to roll back to. */
  NothingToRollBack: 'NothingToRollBack',
  /** A task was handed an event it cannot work with (a wiring fault). */
  InvalidEvent: 'InvalidEvent',
  /** The rollout's engine stopped before the rollout ended (recorded by the next command, never thrown by a task). */
  Interrupted: 'Interrupted',
  /** The local engine's process could not start or failed outside any task. */
  EngineError: 'EngineError',
  /** A setting the deployment must provide is missing or unusable (an environment variable, a parameter). */
  Configuration: 'ConfigurationError',
  /** The AWS SDK found no credentials: rejected before any change. */
  NoCredentials: 'NoCredentials',
  /** A state file (lock, known-good, serving, process, rollout record) is unreadable or of the wrong shape. */
  StateInvalid: 'StateInvalid',
  /** A person aborted the rollout (`ml-rollout abort`, the abort function): roll back now. */
  RolloutAborted: 'RolloutAborted',
  /** Nobody approved a paused rollout within its approval timeout (recorded after States.Timeout). */
  ApprovalTimedOut: 'ApprovalTimedOut',
} as const;
export type ErrorName = (typeof ErrorName)[keyof typeof ErrorName];

/** Errors Step Functions itself raises that the ASL matches (the local engine raises the same). */
export const StatesErrorName = {
  /** A Task ran past its TimeoutSeconds(Path): for WaitForApproval, nobody approved in time. */
  Timeout: 'States.Timeout',
} as const;

/** Errors of the Fail states that end an execution; the CLI maps them to exit codes. */
export const FailName = {
  Rejected: 'Rejected',
  RolledBack: 'RolledBack',
  RollbackFailed: 'RollbackFailed',
  Failed: 'Failed',
} as const;
export type FailName = (typeof FailName)[keyof typeof FailName];

/** Base of the hierarchy: sets `name` so the state machine can match it. */
export abstract class RolloutError extends Error {
  abstract override readonly name: ErrorName;
}

/** Rejected input: names the file or field at fault. */
export class BundleInvalidError extends RolloutError {
  override readonly name = ErrorName.BundleInvalid;
}

export interface LockHolder {
  rolloutId: string;
  version: string;
  /** ISO-8601 time the lock was taken. */
  since: string;
  /** ISO-8601 time the lease runs out. */
  expiresAt: string;
}

export class LockHeldError extends RolloutError {
  override readonly name = ErrorName.LockHeld;
  /**
   * @param clearWith how to clear a lock left by a crashed run where this lock store keeps it
   *   (default: the local CLI's `unlock` command).
   */
  constructor(
    readonly environment: string,
    readonly holder: LockHolder,
    clearWith = `ml-rollout unlock --env ${environment}`,
  ) {
    super(
      `environment ${environment} is locked by the rollout of version ${holder.version} ` +
        `(${holder.rolloutId}) since ${holder.since}; the lease ends ${holder.expiresAt} ` +
        `(if that rollout crashed, clear it with: ${clearWith})`,
    );
  }
}

export class GateFailedError extends RolloutError {
  override readonly name = ErrorName.GateFailed;
}

export class DeadlineExceededError extends RolloutError {
  override readonly name = ErrorName.DeadlineExceeded;
}

export class PhaseFailedError extends RolloutError {
  override readonly name = ErrorName.PhaseFailed;
}

export class TransientError extends RolloutError {
  override readonly name = ErrorName.Transient;
}

export class TargetError extends RolloutError {
  override readonly name = ErrorName.TargetError;
}

/** The local engine's process could not start, or failed outside any task. */
export class EngineError extends RolloutError {
  override readonly name = ErrorName.EngineError;
}

export class RollbackFailedError extends RolloutError {
  override readonly name = ErrorName.RollbackFailed;
}

/** One line for humans: the message, without stack. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message.split('\n')[0] ?? err.name;
  return String(err);
}

/**
 * Errors the Lambda service itself raises for an invocation; retried like TransientError.
 * (Names from the Step Functions guide to handling Lambda service exceptions.)
 */
export const LambdaServiceErrorName = {
  ServiceException: 'Lambda.ServiceException',
  AWSLambdaException: 'Lambda.AWSLambdaException',
  SdkClientException: 'Lambda.SdkClientException',
  TooManyRequests: 'Lambda.TooManyRequestsException',
} as const;

/** A task was handed an event it cannot work with: a wiring fault, never retried. */
export class InvalidEventError extends RolloutError {
  override readonly name = ErrorName.InvalidEvent;
}

/**
 * A setting the deployment must provide is missing or unusable (STATE_BUCKET, a state machine
 * ARN, the Slack webhook parameter): fixed by redeploying, never by retrying.
 */
export class ConfigurationError extends RolloutError {
  override readonly name = ErrorName.Configuration;
}

export class NothingToRollBackError extends RolloutError {
  override readonly name = ErrorName.NothingToRollBack;
}

/**
 * The AWS SDK's credential chain found nothing (no AWS_PROFILE, AWS_ACCESS_KEY_ID, SSO or instance
 * role): nothing was changed, the rollout is rejected (exit 2), never retried.
 */
export class NoCredentialsError extends RolloutError {
  override readonly name = ErrorName.NoCredentials;
}

/**
 * A state file is unreadable or not of the shape this tool writes: names the file and what is
 * wrong, so that it can be repaired (unlock, destroy, rollback, a new deploy) or removed by hand.
 */
export class StateFileInvalidError extends RolloutError {
  override readonly name = ErrorName.StateInvalid;
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file} is not a valid state file (${problem})`);
  }
}

/**
 * A person aborted the rollout: thrown by the tasks that run while a rollout waits (CheckStable,
 * SampleGate, the approval wait) once they find the abort flag; the ASL's Catch rolls back.
 */
export class RolloutAbortedError extends RolloutError {
  override readonly name = ErrorName.RolloutAborted;
}
