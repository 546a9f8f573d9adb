import { GetParameterCommand, SSMClient, SSMServiceException } from '@aws-sdk/client-ssm';
import { jest } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { deliverToSlack, ssmWebhook } from '../../../lib/notify/slack-deliver.js';
import type { RolloutNotification } from '../../../lib/notify/types.js';

const PARAM = '/ml-rollout/test/slack-webhook-url';
const HOOK = 'https://hooks.slack.test/services/T000/B000/XXXX';
const ssmMock = mockClient(SSMClient);
/** Every timer API but Date stays real: the SDK's middleware and fetch keep working. */
const REAL_TIMERS = [
  'hrtime',
  'nextTick',
  'performance',
  'queueMicrotask',
  'setImmediate',
  'clearImmediate',
  'setInterval',
  'clearInterval',
  'setTimeout',
  'clearTimeout',
] as const;

const notification: RolloutNotification = {
  outcome: 'failed',
  rolloutId: 'skin-dev-1-3-0-0123456789abcdef',
  environment: 'skin-dev',
  name: 'skin-similarity',
  version: '1.3.0',
  previousVersion: null,
  phase: 'minimal',
  reason: { error: 'PhaseFailed', message: 'process exited with code 1' },
  rollback: { performed: true, restoredVersion: null, verified: true },
  startedAt: '2025-03-14T09:00:00.000Z',
  finishedAt: '2025-03-14T09:00:30.000Z',
  durationMs: 30_000,
};

beforeEach(() => {
  ssmMock.reset();
  ssmMock.on(GetParameterCommand).resolves({ Parameter: { Name: PARAM, Type: 'SecureString', Value: HOOK } });
  // Powertools Parameters times its cache by the system clock (new Date(), Date.now).
  jest.useFakeTimers({ doNotFake: [...REAL_TIMERS], now: Date.parse('2025-03-14T09:00:00.000Z') });
});

afterEach(() => jest.useRealTimers());

const advance = (ms: number) => jest.setSystemTime(Date.now() + ms);

/** A webhook source with a cache of its own (each test starts with nothing cached). */
const webhook = (name = PARAM) => ssmWebhook(name, { maxAgeSeconds: 60, client: new SSMClient({ region: 'eu-west-1' }) });

describe('ssmWebhook', () => {
  it('reads the SecureString decrypted, once for many notifications, again after maxAge', async () => {
    const param = webhook();
    await expect(param.get()).resolves.toBe(HOOK);
    await expect(param.get()).resolves.toBe(HOOK);
    expect(ssmMock).toHaveReceivedCommandTimes(GetParameterCommand, 1);
    expect(ssmMock).toHaveReceivedCommandWith(GetParameterCommand, { Name: PARAM, WithDecryption: true });

    advance(59_000);
    await param.get();
    expect(ssmMock).toHaveReceivedCommandTimes(GetParameterCommand, 1);
    advance(2_000);
    await param.get();
    expect(ssmMock).toHaveReceivedCommandTimes(GetParameterCommand, 2);
  });
});

describe('deliverToSlack', () => {
  it('posts with the webhook from SSM', async () => {
    const posted: string[] = [];
    const fetchImpl = (async (url: string | URL | Request) => {
      posted.push(String(url));
      return new Response('ok', { status: 200 });
    }) as typeof fetch;
    const result = await deliverToSlack(webhook(), notification, { fetch: fetchImpl });
    expect(result).toEqual({ delivered: true, attempts: 1, status: 200 });
    expect(posted).toEqual([HOOK]);
  });

  it('reports an unreadable parameter instead of throwing', async () => {
    ssmMock
      .on(GetParameterCommand)
      .rejects(
        new SSMServiceException({ name: 'ParameterNotFound', $fault: 'client', $metadata: { httpStatusCode: 400 }, message: 'not found' }),
      );
    const result = await deliverToSlack(webhook(), notification);
    expect(result).toMatchObject({ delivered: false, attempts: 0, status: null });
    expect(result.delivered === false && result.detail).toContain('webhook URL unavailable');
  });

  it('reports a missing parameter name instead of throwing', async () => {
    const result = await deliverToSlack(webhook(''), notification);
    expect(result.delivered === false && result.detail).toContain('SLACK_WEBHOOK_PARAMETER');
    expect(ssmMock).not.toHaveReceivedCommand(GetParameterCommand);
  });

  it('forgets a webhook Slack says is gone, so a replaced one is read next time', async () => {
    const param = webhook();
    const gone = (async () => new Response('no_service', { status: 404 })) as typeof fetch;
    await expect(deliverToSlack(param, notification, { fetch: gone })).resolves.toMatchObject({ delivered: false, status: 404 });
    await deliverToSlack(param, notification, { fetch: gone });
    expect(ssmMock).toHaveReceivedCommandTimes(GetParameterCommand, 2);
  });
});
