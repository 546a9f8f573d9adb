import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { JSONStringified } from '@aws-lambda-powertools/parser/helpers';
import { SnsSchema } from '@aws-lambda-powertools/parser/schemas/sns';
import type { Context } from 'aws-lambda';
import type { z } from 'zod';
import { logger } from '../lib/observability/logger.js';
import { rolloutNotificationSchema } from '../lib/notify/notification-schema.js';
import { deliverToSlack, ssmWebhook, type SlackDelivery, type WebhookSource } from '../lib/notify/slack-deliver.js';
import { parseEvent } from './parse-event.js';

let webhook: WebhookSource | null = null;

const notificationMessage = JSONStringified(rolloutNotificationSchema);

export interface SlackNotifierResult {
  delivered: number;
  failed: number;
  results: ({ messageId: string } & (SlackDelivery | { delivered: false; detail: string }))[];
}

/**
 * SNS → Slack. An event that is not an SNS event is InvalidEventError (nothing was posted, so
 * Lambda's retries of it repeat nothing). Past that it never throws, by design: a failed
 * delivery is logged at error level with the whole notification (so nothing is lost from the
 * logs) and the invocation succeeds, because Lambda's async retries would repeat Slack posts
 * that already went through for other records and cannot fix a revoked webhook or a malformed
 * message. Each message is parsed on its own for the same reason (Powertools' SNS envelope would
 * reject every record for one bad one).
 */
export const handler = middy<z.infer<typeof SnsSchema>, SlackNotifierResult, Error, Context>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(parseEvent(SnsSchema, 'an SNS event'))
  .handler(async (event) => {
    // A missing parameter name is reported per message by deliverToSlack, like any other failure.
    webhook ??= ssmWebhook(process.env.SLACK_WEBHOOK_PARAMETER ?? '');
    const results: SlackNotifierResult['results'] = [];
    for (const { Sns } of event.Records) {
      const notification = notificationMessage.safeParse(Sns.Message);
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
  });
