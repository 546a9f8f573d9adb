import { describeCheck } from '../gates/verdict.js';
import { Outcome, type NotificationMessage, type RolloutNotification } from './types.js';

const VERB: Record<Outcome, string> = {
  [Outcome.Succeeded]: 'succeeded',
  [Outcome.RolledBack]: 'rolled back',
  [Outcome.Rejected]: 'rejected',
  [Outcome.RollbackFailed]: 'ROLLBACK FAILED',
  [Outcome.Failed]: 'failed',
  [Outcome.Interrupted]: 'INTERRUPTED',
  [Outcome.AwaitingApproval]: 'waits for approval',
};

/** SNS subject (≤ 100 characters): "[ml-rollout] skin-dev: 1.3.0 rolled back (faiss-scin)". */
export function subjectOf(n: RolloutNotification): string {
  const what = n.version ? `${n.name ?? ''} ${n.version}`.trim() : 'rollout';
  const phase = n.phase ? ` (${n.phase})` : '';
  return `[ml-rollout] ${n.environment ?? 'unknown environment'}: ${what} ${VERB[n.outcome]}${phase}`.slice(0, 100);
}

/** The one line a human reads first, shared by the outbox, Slack and the CLI. */
export function summaryLine(n: RolloutNotification): string {
  const prev = n.previousVersion ? ` (previous: ${n.previousVersion})` : '';
  const base = `${subjectOf(n).replace('[ml-rollout] ', '')}${prev}`;
  if (n.approval)
    return `${base} until ${n.approval.expiresAt}: approve with ${n.approval.approveWith}, abort with ${n.approval.abortWith}`;
  if (!n.reason) return base;
  const why = n.reason.check ? describeCheck(n.reason.check) : n.reason.message;
  return `${base}: ${why}`;
}

export function buildMessage(n: RolloutNotification): NotificationMessage {
  return {
    subject: subjectOf(n),
    message: n,
    attributes: { environment: n.environment ?? 'unknown', status: n.outcome },
  };
}
