import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { SSMClient } from '@aws-sdk/client-ssm';
import * as z from 'zod';
import { logger } from '../lib/observability/logger.js';
import { rolloutNotificationSchema } from '../lib/notify/notification-schema.js';
import { CachedParameter, deliverToSlack, type SlackDelivery } from '../lib/notify/slack-deliver.js';

let webhook: CachedParameter | null = null;

// AWS owns the SNS event's shape: unknown keys are ignored here, on purpose.
const snsEventSchema = z.looseObject({
  Records: z.array(z.looseObject({ Sns: z.looseObject({ MessageId: z.string(), Message: z.string() }) })).min(1),
});

export interface SlackNotifierResult {
  delivered: number;
  failed: number;
  results: ({ messageId: string } & (SlackDelivery | { delivered: false; detail: string }))[];
}

/**
 * SNS → Slack. Never throws, by design: a failed delivery is logged at error level with the
 * whole notification (so nothing is lost from the logs) and the invocation succeeds, because
 * Lambda's async retries would repeat Slack posts that already went through for other records
 * and cannot fix a revoked webhook or a malformed message.
 */
export const handler = middy(async (event: unknown): Promise<SlackNotifierResult> => {
  const parsed = snsEventSchema.safeParse(event);
  if (!parsed.success) {
    logger.error('not an SNS event; nothing posted', { issue: parsed.error.issues[0]?.message });
    return { delivered: 0, failed: 1, results: [{ messageId: 'unknown', delivered: false, detail: 'not an SNS event' }] };
  }
  // A missing parameter name is reported per message by deliverToSlack, like any other failure.
  webhook ??= new CachedParameter(new SSMClient({}), process.env.SLACK_WEBHOOK_PARAMETER ?? '');
  const results: SlackNotifierResult['results'] = [];
  for (const { Sns } of parsed.data.Records) {
    let body: unknown;
    try {
      body = JSON.parse(Sns.Message);
    } catch {
      body = undefined;
    }
    const notification = rolloutNotificationSchema.safeParse(body);
    if (!notification.success) {
      logger.error('not a rollout notification; nothing posted', {
        messageId: Sns.MessageId,
        issue: notification.error.issues[0]?.message,
      });
      results.push({ messageId: Sns.MessageId, delivered: false, detail: 'not a rollout notification' });
      continue;
    }
    const n = notification.data;
    logger.appendKeys({ environment: n.environment ?? 'unknown', executionId: n.execution ?? n.rolloutId });
    const delivery = await deliverToSlack(webhook, n);
    if (delivery.delivered) logger.info('posted to Slack', { outcome: n.outcome, attempts: delivery.attempts });
    else logger.error('Slack delivery failed', { outcome: n.outcome, delivery, notification: n });
    results.push({ messageId: Sns.MessageId, ...delivery });
  }
  return { delivered: results.filter((r) => r.delivered).length, failed: results.filter((r) => !r.delivered).length, results };
}).use(injectLambdaContext(logger, { resetKeys: true }));
