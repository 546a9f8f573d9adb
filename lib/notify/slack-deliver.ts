import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { systemClock, type Clock } from '../clock.js';
import { describeError } from '../errors.js';
import { slackMessage } from './slack-blocks.js';
import { postToSlack, type SlackPostOptions, type SlackPostResult } from './slack-post.js';
import type { RolloutNotification } from './types.js';

/**
 * A SecureString parameter, decrypted, kept for `ttlMs` (default 5 min) so a burst of
 * notifications costs one SSM call, while a rotated webhook is picked up within minutes.
 */
export class CachedParameter {
  private cached: { value: string; until: number } | null = null;

  constructor(
    private readonly client: SSMClient,
    readonly name: string,
    private readonly ttlMs: number = 5 * 60_000,
    private readonly clock: Clock = systemClock,
  ) {}

  async get(): Promise<string> {
    if (!this.name) throw new TypeError('no SSM parameter name for the Slack webhook (SLACK_WEBHOOK_PARAMETER)');
    const now = this.clock.now();
    if (this.cached && now < this.cached.until) return this.cached.value;
    const out = await this.client.send(new GetParameterCommand({ Name: this.name, WithDecryption: true }));
    const value = out.Parameter?.Value;
    if (!value) throw new TypeError(`SSM parameter ${this.name} is empty`);
    this.cached = { value, until: now + this.ttlMs };
    return value;
  }

  /** Forgets the value: after Slack says the webhook is gone, the next call reads it again. */
  forget(): void {
    this.cached = null;
  }
}

export type SlackDelivery = SlackPostResult | { delivered: false; attempts: 0; status: null; detail: string };

/**
 * Posts one notification to Slack. Never throws: an unreadable webhook parameter or a Slack
 * outage comes back as `delivered: false` with the reason, for the caller to log. The rollout
 * published to SNS long before and is not affected either way.
 */
export async function deliverToSlack(
  webhook: Pick<CachedParameter, 'get' | 'forget'>,
  notification: RolloutNotification,
  options: SlackPostOptions = {},
): Promise<SlackDelivery> {
  let url: string;
  try {
    url = await webhook.get();
  } catch (err) {
    return { delivered: false, attempts: 0, status: null, detail: `webhook URL unavailable: ${describeError(err)}` };
  }
  const result = await postToSlack(url, slackMessage(notification), options);
  // 403/404/410: the webhook was revoked or replaced; read the parameter again next time.
  if (!result.delivered && result.status !== null && [403, 404, 410].includes(result.status)) webhook.forget();
  return result;
}
