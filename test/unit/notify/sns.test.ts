import { readFileSync } from 'node:fs';
import { PublishCommand, SNSClient, SNSServiceException } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { TransientError } from '../../../lib/errors.js';
import { buildMessage } from '../../../lib/notify/message.js';
import { SnsNotifier, snsSubject } from '../../../lib/notify/sns.js';
import type { RolloutNotification } from '../../../lib/notify/types.js';

const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:ml-rollout-test-rollouts';
const snsMock = mockClient(SNSClient);

/** The notification of a rollout rolled back in faiss-scin (shared with the other notifier tests). */
const rolledBack = JSON.parse(
  readFileSync(new URL('../../fixtures/events/notification-rolled-back.json', import.meta.url), 'utf8'),
) as RolloutNotification;

beforeEach(() => snsMock.reset());

describe('SnsNotifier', () => {
  it('publishes the notification as JSON with environment and status attributes for filtering', async () => {
    snsMock.on(PublishCommand).resolves({ MessageId: 'm-1' });
    const msg = buildMessage(rolledBack);

    await new SnsNotifier(new SNSClient({ region: 'eu-west-1' }), TOPIC).publish(msg);

    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
    const input = snsMock.commandCalls(PublishCommand)[0]?.args[0].input;
    expect(input?.TopicArn).toBe(TOPIC);
    expect(input?.Subject).toBe(msg.subject);
    expect(JSON.parse(input?.Message ?? 'null')).toEqual(rolledBack);
    expect(input?.MessageAttributes).toEqual({
      environment: { DataType: 'String', StringValue: 'skin-prod' },
      status: { DataType: 'String', StringValue: 'rolled_back' },
    });
  });

  it('keeps the subject within what SNS accepts', () => {
    expect(snsSubject('line one\nline two')).toBe('line one line two');
    expect(snsSubject('1.2.0 → 1.3.0')).toBe('1.2.0 ? 1.3.0');
    expect(snsSubject('x'.repeat(140))).toHaveLength(100);
    expect(snsSubject('  ')).toBe('ml-rollout notification');
  });

  it('never sends an empty attribute value', async () => {
    snsMock.on(PublishCommand).resolves({});
    const msg = buildMessage({ ...rolledBack, environment: null });
    await new SnsNotifier(new SNSClient({ region: 'eu-west-1' }), TOPIC).publish({
      ...msg,
      attributes: { ...msg.attributes, environment: '' },
    });
    expect(snsMock).toHaveReceivedCommandWith(PublishCommand, {
      MessageAttributes: expect.objectContaining({ environment: { DataType: 'String', StringValue: 'unknown' } }),
    });
  });

  it('fails clearly without a topic, and retries SNS outages as TransientError', async () => {
    const msg = buildMessage(rolledBack);
    await expect(new SnsNotifier(new SNSClient({ region: 'eu-west-1' }), undefined).publish(msg)).rejects.toThrow(/TOPIC_ARN/);

    snsMock
      .on(PublishCommand)
      .rejects(new SNSServiceException({ name: 'InternalError', $fault: 'server', $metadata: { httpStatusCode: 500 }, message: 'boom' }));
    await expect(new SnsNotifier(new SNSClient({ region: 'eu-west-1' }), TOPIC).publish(msg)).rejects.toBeInstanceOf(TransientError);
  });
});
