import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { ConfigurationError, describeError } from '../errors.js';
import { slackMessage } from './slack-blocks.js';
import { postToSlack, type SlackPostOptions, type SlackPostResult } from './slack-post.js';
import type { RolloutNotification } from './types.js';

/** Where the webhook URL comes from: read when needed, forgotten once Slack says it is gone. */
export interface WebhookSource {
  get(): Promise<string>;
  /** The next get() reads the parameter again instead of using a cached copy. */
  forget(): void;
}

/** Options of {@link ssmWebhook}. */
export interface SsmWebhookOptions {
  /** s a read value is kept (default 300): a burst of notifications costs one SSM call, a rotated webhook is picked up within minutes. */
  maxAgeSeconds?: number;
  /** The SSM client to read with (default: one Powertools builds from the environment). */
  client?: SSMClient;
}

/**
 * The webhook URL from an SSM SecureString, decrypted, through Powertools Parameters (its cache
 * keeps the value `maxAgeSeconds`). Each source has a cache of its own.
 */
export function ssmWebhook(name: string, options: SsmWebhookOptions = {}): WebhookSource {
  const provider = new SSMProvider(options.client ? { awsSdkV3Client: options.client } : {});
  const maxAge = options.maxAgeSeconds ?? 300;
  let forceFetch = false;
  return {
    async get() {
      if (!name) throw new ConfigurationError('no SSM parameter name for the Slack webhook (SLACK_WEBHOOK_PARAMETER)');
      const value = await provider.get(name, { decrypt: true, maxAge, forceFetch });
      forceFetch = false;
      if (!value) throw new ConfigurationError(`SSM parameter ${name} is empty`);
      return value;
    },
    forget() {
      forceFetch = true;
    },
  };
}

export type SlackDelivery = SlackPostResult | { delivered: false; attempts: 0; status: null; detail: string };

/**
 * Posts one notification to Slack. Never throws: an unreadable webhook parameter or a Slack
 * outage comes back as `delivered: false` with the reason, for the caller to log. The rollout
 * published to SNS long before and is not affected either way.
 */
export async function deliverToSlack(
  webhook: WebhookSource,
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
