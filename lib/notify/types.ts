import type { Check } from '../gates/verdict.js';
import type { CostEstimate } from '../rollout/cost.js';

/** Terminal outcomes of a rollout; each produces exactly one notification. */
export const Outcome = {
  Succeeded: 'succeeded',
  RolledBack: 'rolled_back',
  Rejected: 'rejected',
  RollbackFailed: 'rollback_failed',
  Failed: 'failed',
  /** The engine stopped before the rollout ended; the version serving is unverified. */
  Interrupted: 'interrupted',
  /** Not an end: the rollout paused for approval; its one message says how to approve or abort it. */
  AwaitingApproval: 'awaiting_approval',
} as const;
export type Outcome = (typeof Outcome)[keyof typeof Outcome];

/** The JSON body of a notification (SNS Message, outbox line, Slack text all come from it). */
export interface RolloutNotification {
  outcome: Outcome;
  rolloutId: string;
  environment: string | null;
  name: string | null;
  version: string | null;
  previousVersion: string | null;
  /** The phase that failed, or null. */
  phase: string | null;
  /** Why it failed, with the measured value and threshold when a gate failed; null on success. */
  reason: { error: string; message: string; check?: Check } | null;
  rollback: { performed: boolean; restoredVersion: string | null; verified: boolean } | null;
  /** ISO-8601 */
  startedAt: string | null;
  /** ISO-8601 */
  finishedAt: string;
  /** ms */
  durationMs: number | null;
  /** Link or ARN of the execution, where there is one. */
  execution?: string;
  /** What this rollout costs on AWS, an estimate (lib/plan/prices.ts). */
  cost?: CostEstimate;
  /** A paused rollout (outcome awaiting_approval): until when it waits, and the commands that end the wait. */
  approval?: PendingApproval;
}

/** How a paused rollout is approved or aborted, as its notification says. */
export interface PendingApproval {
  /** ISO-8601 */
  since: string;
  /** ISO-8601: the rollout rolls back then */
  expiresAt: string;
  /** The command that lets it go on, e.g. `ml-rollout approve --env skin-dev`. */
  approveWith: string;
  /** The command that rolls it back now. */
  abortWith: string;
}

/** SNS-shaped: what Publish takes. */
export interface NotificationMessage {
  subject: string;
  message: RolloutNotification;
  attributes: { environment: string; status: Outcome };
}

/** Where notifications go: the local outbox (+ Slack webhook) or an SNS topic. */
export interface Notifier {
  publish(message: NotificationMessage): Promise<void>;
}
