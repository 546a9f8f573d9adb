import type { Check } from '../gates/verdict.js';
import { summaryLine } from './message.js';
import { describeCost } from '../rollout/cost.js';
import { Outcome, type RolloutNotification } from './types.js';

/** A Slack incoming-webhook body: `text` is what notifications and screen readers show. */
export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}

/** The Block Kit blocks this module builds (a subset of Slack's). */
export type SlackBlock =
  | { type: 'header'; text: { type: 'plain_text'; text: string; emoji: true } }
  | { type: 'section'; text?: { type: 'mrkdwn'; text: string }; fields?: { type: 'mrkdwn'; text: string }[] }
  | { type: 'context'; elements: { type: 'mrkdwn'; text: string }[] }
  | { type: 'actions'; elements: { type: 'button'; text: { type: 'plain_text'; text: string }; url: string }[] }
  | { type: 'divider' };

const LOOK: Record<Outcome, { emoji: string; verb: string }> = {
  [Outcome.Succeeded]: { emoji: ':white_check_mark:', verb: 'succeeded' },
  [Outcome.RolledBack]: { emoji: ':leftwards_arrow_with_hook:', verb: 'rolled back' },
  [Outcome.Rejected]: { emoji: ':no_entry:', verb: 'rejected' },
  [Outcome.RollbackFailed]: { emoji: ':rotating_light:', verb: 'ROLLBACK FAILED' },
  [Outcome.Failed]: { emoji: ':x:', verb: 'failed' },
  [Outcome.Interrupted]: { emoji: ':warning:', verb: 'INTERRUPTED' },
  [Outcome.AwaitingApproval]: { emoji: ':hourglass_flowing_sand:', verb: 'waits for approval' },
};

// Slack's limits: header 150 characters, a section's text 3000, a field 2000.
const HEADER_MAX = 150;
const TEXT_MAX = 3000;
const FIELD_MAX = 2000;

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Slack mrkdwn treats &, < and > as markup; values from a bundle must not become links or mentions. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** "4 min 12 s", "850 ms", "1 h 3 min". */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  const s = Math.round(ms / 1_000);
  if (s < 60) return `${s} s`;
  const h = Math.floor(s / 3_600);
  const min = Math.floor((s % 3_600) / 60);
  const sec = s % 60;
  return h > 0 ? `${h} h ${min} min` : `${min} min ${sec} s`;
}

const CONSOLE_HOST: Record<string, (region: string) => string> = {
  aws: (region) => `https://${region}.console.aws.amazon.com`,
  'aws-cn': (region) => `https://${region}.console.amazonaws.cn`,
  'aws-us-gov': () => 'https://console.amazonaws-us-gov.com',
};

/**
 * The Step Functions console page of an execution, from its ARN
 * (arn:<partition>:states:<region>:<account>:execution:<machine>:<name>); a URL passes unchanged;
 * null for anything else.
 */
export function executionLink(execution: string | undefined): string | null {
  if (!execution) return null;
  if (/^https:\/\//.test(execution)) return execution;
  const m = /^arn:([a-z-]+):states:([a-z0-9-]+):\d{12}:execution:[^:]+:[^:]+$/.exec(execution);
  if (!m) return null;
  const [, partition = '', region = ''] = m;
  const host = CONSOLE_HOST[partition];
  if (!host) return null;
  return `${host(region)}/states/home?region=${region}#/v2/executions/details/${execution}`;
}

function checkLine(check: Check): string {
  const unit = check.unit ?? '';
  if (check.inconclusive) return `${check.name}: could not be measured (threshold ${check.threshold}${unit})`;
  return `${check.name}: measured ${check.value}${unit}, threshold ${check.threshold}${unit}`;
}

function versionField(n: RolloutNotification): string {
  const version = n.version ? `\`${escapeMrkdwn(n.version)}\`` : 'unknown';
  const previous = n.previousVersion ? `\`${escapeMrkdwn(n.previousVersion)}\`` : 'none';
  return `*Version* (previous → new)\n${previous} → ${version}`;
}

function rollbackLine(r: NonNullable<RolloutNotification['rollback']>): string {
  if (!r.performed) return '*Rollback*: not performed';
  const to = r.restoredVersion ? `\`${escapeMrkdwn(r.restoredVersion)}\`` : 'nothing (the environment was stopped)';
  return `*Rollback*: restored ${to}, ${r.verified ? 'verified healthy' : '*not verified healthy*'}`;
}

/**
 * The Slack message of a notification: status, environment, previous → new version, the failed
 * phase and check (measured value against threshold), rollback, duration, and a button to the
 * execution in the Step Functions console.
 */
export function slackMessage(n: RolloutNotification): SlackMessage {
  const look = LOOK[n.outcome];
  const subject = [n.name, n.version].filter(Boolean).join(' ') || 'rollout';
  const blocks: SlackBlock[] = [
    {
      type: 'header',
      text: {
        type: 'plain_text',
        emoji: true,
        text: clip(`${look.emoji} ${n.environment ?? 'unknown environment'}: ${subject} ${look.verb}`, HEADER_MAX),
      },
    },
    {
      type: 'section',
      fields: [
        `*Status*\n${look.verb}`,
        `*Environment*\n${escapeMrkdwn(n.environment ?? 'unknown')}`,
        versionField(n),
        `*Duration*\n${n.durationMs === null ? 'unknown' : formatDuration(n.durationMs)}`,
      ].map((text) => ({ type: 'mrkdwn' as const, text: clip(text, FIELD_MAX) })),
    },
  ];
  const details: string[] = [];
  if (n.phase && n.approval) details.push(`*Passed phase*: \`${escapeMrkdwn(n.phase)}\`, waiting since ${n.approval.since}`);
  else if (n.phase) details.push(`*Failed phase*: \`${escapeMrkdwn(n.phase)}\``);
  if (n.approval) {
    details.push(`*Approve*: \`${escapeMrkdwn(n.approval.approveWith)}\``);
    details.push(`*Abort*: \`${escapeMrkdwn(n.approval.abortWith)}\``);
    details.push(`Rolls back at ${n.approval.expiresAt} if nobody approves.`);
  }
  if (n.reason?.check) details.push(`*Check* ${escapeMrkdwn(checkLine(n.reason.check))}`);
  if (n.reason) details.push(`*${escapeMrkdwn(n.reason.error)}*: ${escapeMrkdwn(n.reason.message)}`);
  if (n.rollback) details.push(rollbackLine(n.rollback));
  if (details.length > 0) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: clip(details.join('\n'), TEXT_MAX) } });

  const link = executionLink(n.execution);
  if (link) {
    blocks.push({ type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open execution' }, url: link }] });
  }
  const context = [`rollout \`${escapeMrkdwn(n.rolloutId)}\``, `finished ${n.finishedAt}`];
  if (n.execution && !link) context.push(`execution ${escapeMrkdwn(n.execution)}`);
  if (n.cost) context.push(`AWS cost ${escapeMrkdwn(describeCost(n.cost).replace(/ on AWS/, ''))}`);
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: clip(context.join(' · '), TEXT_MAX) }] });

  // The fallback text is mrkdwn too (notifications, screen readers): escaped like the blocks.
  return { text: clip(escapeMrkdwn(summaryLine(n)), TEXT_MAX), blocks };
}
