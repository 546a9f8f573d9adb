import { slackMessage } from '../../../lib/notify/slack-blocks.js';
import { postToSlack, retryAfterMs, type SlackPostOptions } from '../../../lib/notify/slack-post.js';
import type { RolloutNotification } from '../../../lib/notify/types.js';

const URL = 'https://hooks.slack.test/services/T000/B000/XXXX';
const message = slackMessage({
  outcome: 'succeeded',
  rolloutId: 'skin-dev-1-3-0-0123456789abcdef',
  environment: 'skin-dev',
  name: 'skin-similarity',
  version: '1.3.0',
  previousVersion: '1.2.0',
  phase: null,
  reason: null,
  rollback: null,
  startedAt: '2025-03-14T09:00:00.000Z',
  finishedAt: '2025-03-14T09:01:00.000Z',
  durationMs: 60_000,
} satisfies RolloutNotification);

/** A scripted Slack: answers in order; records the requests and the waits between them. */
function slack(answers: (Response | Error)[]) {
  const requests: RequestInit[] = [];
  const waits: number[] = [];
  const options: SlackPostOptions = {
    fetch: (async (_url: string | URL | Request, init?: RequestInit) => {
      requests.push(init ?? {});
      const next = answers.shift();
      if (!next) throw new Error('no more scripted answers');
      if (next instanceof Error) throw next;
      return next;
    }) as typeof fetch,
    sleep: async (ms) => {
      waits.push(ms);
    },
    now: () => Date.parse('2025-03-14T09:00:00.000Z'),
  };
  return { requests, waits, options };
}

const answer = (status: number, headers: Record<string, string> = {}, body = status === 200 ? 'ok' : 'error') =>
  new Response(body, { status, headers });

describe('postToSlack', () => {
  it('posts the Block Kit message as JSON once when Slack says ok', async () => {
    const s = slack([answer(200)]);
    await expect(postToSlack(URL, message, s.options)).resolves.toEqual({ delivered: true, attempts: 1, status: 200 });
    expect(s.requests).toHaveLength(1);
    expect(s.requests[0]?.method).toBe('POST');
    expect(JSON.parse(String(s.requests[0]?.body))).toEqual(message);
    expect(s.waits).toEqual([]);
  });

  it('waits as long as a 429 Retry-After says, then tries again', async () => {
    const s = slack([answer(429, { 'retry-after': '3' }, 'rate_limited'), answer(200)]);
    await expect(postToSlack(URL, message, s.options)).resolves.toEqual({ delivered: true, attempts: 2, status: 200 });
    expect(s.waits).toEqual([3_000]);
  });

  it('backs off exponentially on 5xx and network failures without a Retry-After', async () => {
    const s = slack([answer(503), new TypeError('fetch failed'), answer(500), answer(200)]);
    const result = await postToSlack(URL, message, { ...s.options, baseDelayMs: 100 });
    expect(result).toEqual({ delivered: true, attempts: 4, status: 200 });
    expect(s.waits).toEqual([100, 200, 400]);
  });

  it('gives up after the last attempt and reports why, without throwing', async () => {
    const s = slack([answer(503), answer(503), answer(503)]);
    const result = await postToSlack(URL, message, { ...s.options, attempts: 3, baseDelayMs: 10 });
    expect(result).toMatchObject({ delivered: false, attempts: 3, status: 503 });
    expect(s.requests).toHaveLength(3);
    expect(s.waits).toEqual([10, 20]);
  });

  it('does not retry what retrying cannot fix (400 invalid_payload, 404 no_service)', async () => {
    const s = slack([answer(400, {}, 'invalid_payload'), answer(404, {}, 'no_service')]);
    await expect(postToSlack(URL, message, s.options)).resolves.toMatchObject({
      delivered: false,
      attempts: 1,
      status: 400,
      detail: 'HTTP 400 invalid_payload',
    });
    await expect(postToSlack(URL, message, s.options)).resolves.toMatchObject({ delivered: false, attempts: 1, status: 404 });
    expect(s.waits).toEqual([]);
  });

  it('stops rather than wait past its bound for a long Retry-After', async () => {
    const s = slack([answer(429, { 'retry-after': '120' }, 'rate_limited')]);
    const result = await postToSlack(URL, message, { ...s.options, maxWaitMs: 8_000 });
    expect(result).toMatchObject({ delivered: false, attempts: 1, status: 429 });
    expect(result.delivered === false && result.detail).toContain('Retry-After 120 s');
    expect(s.waits).toEqual([]);
  });
});

describe('retryAfterMs', () => {
  it('reads seconds and HTTP dates', () => {
    const now = Date.parse('2025-03-14T09:00:00.000Z');
    expect(retryAfterMs('7', now)).toBe(7_000);
    expect(retryAfterMs('Fri, 14 Mar 2025 09:00:05 GMT', now)).toBe(5_000);
    expect(retryAfterMs('soon', now)).toBeNull();
    expect(retryAfterMs(null, now)).toBeNull();
  });
});
