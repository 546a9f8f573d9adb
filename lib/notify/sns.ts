import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { mapAwsError } from '../aws/errors.js';
import { ConfigurationError } from '../errors.js';
import type { NotificationMessage, Notifier } from './types.js';

/** SNS rejects a subject that is empty, longer than 100 characters, not ASCII, or has control characters. */
export function snsSubject(subject: string): string {
  const clean = subject
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .replace(/[^\u0020-\u007e]/g, '?')
    .trim();
  return (clean || 'ml-rollout notification').slice(0, 100);
}

/** SNS rejects empty attribute values. */
function attribute(value: string): { DataType: 'String'; StringValue: string } {
  return { DataType: 'String', StringValue: value.length > 0 ? value : 'unknown' };
}

/**
 * Publishes every terminal outcome to one topic. The message is the RolloutNotification as JSON;
 * the attributes `environment` and `status` let a subscription filter (e.g. only prod, or only
 * rolled_back) without parsing the message.
 */
export class SnsNotifier implements Notifier {
  constructor(
    private readonly client: SNSClient,
    private readonly topicArn: string | undefined,
  ) {}

  async publish(msg: NotificationMessage): Promise<void> {
    // Checked here, not at construction: only the notify task publishes, the other tasks share the runtime.
    if (!this.topicArn) throw new ConfigurationError('TOPIC_ARN is not set: no SNS topic to publish to');
    try {
      await this.client.send(
        new PublishCommand({
          TopicArn: this.topicArn,
          Subject: snsSubject(msg.subject),
          Message: JSON.stringify(msg.message),
          MessageAttributes: {
            environment: attribute(msg.attributes.environment),
            status: attribute(msg.attributes.status),
          },
        }),
      );
    } catch (err) {
      throw mapAwsError(err, `Publish to ${this.topicArn}`);
    }
  }
}
