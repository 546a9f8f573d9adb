import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { jest } from '@jest/globals';
import type { SlackNotifierResult } from '../../../functions/slack-notifier.js';
import { ErrorName } from '../../../lib/errors.js';
import { eventFixture, lambdaContext } from '../start/lambda-context.js';

type Handler = (event: unknown, context: unknown) => Promise<SlackNotifierResult>;
type SnsEvent = { Records: { Sns: { Message: string } }[] };

const HOOK = 'https://hooks.slack.test/services/T000/B000/XXXX';
const ssmMock = mockClient(SSMClient);
let handler: Handler;
let fetchSpy: jest.SpiedFunction<typeof fetch>;

beforeAll(async () => {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  process.env.AWS_REGION = 'eu-west-1';
  process.env.SLACK_WEBHOOK_PARAMETER = '/ml-rollout/dev/slack-webhook-url';
  ({ handler } = (await import('../../../functions/slack-notifier.js')) as unknown as { handler: Handler });
});

beforeEach(() => {
  ssmMock.reset();
  ssmMock.on(GetParameterCommand).resolves({ Parameter: { Value: HOOK } });
  fetchSpy = jest.spyOn(globalThis, 'fetch');
});

afterEach(() => fetchSpy.mockRestore());

const ctx = () => lambdaContext('ml-rollout-dev-slackNotifier');

describe('slackNotifier handler', () => {
  it('posts the SNS fixture’s notification to the webhook from SSM as Block Kit', async () => {
    fetchSpy.mockResolvedValue(new Response('ok', { status: 200 }));
    const result = await handler(eventFixture('sns-rolled-back'), ctx());
    expect(result).toMatchObject({ delivered: 1, failed: 0 });
    expect(fetchSpy).toHaveBeenCalledTimes(1);
    const [url, init] = fetchSpy.mock.calls[0]!;
    expect(url).toBe(HOOK);
    const body = JSON.parse(String(init?.body)) as { blocks: { type: string }[]; text: string };
    expect(body.blocks[0]?.type).toBe('header');
    expect(body.text).toContain('rolled back');
    expect(ssmMock).toHaveReceivedCommandWith(GetParameterCommand, { Name: '/ml-rollout/dev/slack-webhook-url', WithDecryption: true });
  });

  it('never fails the invocation when Slack refuses the post', async () => {
    fetchSpy.mockResolvedValue(new Response('invalid_payload', { status: 400 }));
    await expect(handler(eventFixture('sns-rolled-back'), ctx())).resolves.toMatchObject({ delivered: 0, failed: 1 });
  });

  it('skips a message that is not a rollout notification, posting nothing', async () => {
    const event = eventFixture<SnsEvent>('sns-rolled-back');
    event.Records[0]!.Sns.Message = JSON.stringify({ hello: 'world' });
    await expect(handler(event, ctx())).resolves.toMatchObject({ delivered: 0, failed: 1 });
    event.Records[0]!.Sns.Message = 'not json';
    await expect(handler(event, ctx())).resolves.toMatchObject({ delivered: 0, failed: 1 });
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  it('rejects an event that is not an SNS event as InvalidEvent, posting nothing', async () => {
    await expect(handler({ not: 'sns' }, ctx())).rejects.toThrow(
      expect.objectContaining({ name: ErrorName.InvalidEvent, message: expect.stringMatching(/^expected an SNS event: Records: /) }),
    );
    expect(fetchSpy).not.toHaveBeenCalled();
  });
});
