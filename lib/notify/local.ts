import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { slackMessage } from './slack-blocks.js';
import type { NotificationMessage, Notifier } from './types.js';

/**
 * Local notifications: one JSON line per message in $ML_ROLLOUT_HOME/outbox.jsonl (SNS-shaped:
 * Subject, Message, MessageAttributes), and a post to a Slack incoming webhook when configured —
 * the same Block Kit message the AWS Slack notifier posts.
 * A Slack failure is written to the outbox line and never fails the rollout.
 */
export class LocalNotifier implements Notifier {
  constructor(
    private readonly home: string,
    private readonly slackWebhookUrl: string | undefined,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  get outboxPath(): string {
    return join(this.home, 'outbox.jsonl');
  }

  async publish(msg: NotificationMessage): Promise<void> {
    const slack = this.slackWebhookUrl ? await this.postSlack(this.slackWebhookUrl, msg) : undefined;
    const line = {
      Subject: msg.subject,
      Message: JSON.stringify(msg.message),
      MessageAttributes: {
        environment: { DataType: 'String', StringValue: msg.attributes.environment },
        status: { DataType: 'String', StringValue: msg.attributes.status },
      },
      ...(slack ? { slack } : {}),
    };
    try {
      await mkdir(this.home, { recursive: true });
      await appendFile(this.outboxPath, `${JSON.stringify(line)}\n`);
    } catch (err) {
      // The Slack post went out: failing now would have the task retried and post it again.
      process.stderr.write(`ml-rollout: could not write ${this.outboxPath}: ${(err as Error).message}: ${msg.subject}\n`);
      if (!slack?.delivered) throw err;
    }
  }

  private async postSlack(url: string, msg: NotificationMessage): Promise<{ delivered: boolean; detail: string }> {
    try {
      const res = await this.fetchImpl(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(slackMessage(msg.message)),
        signal: AbortSignal.timeout(5_000),
      });
      await res.arrayBuffer();
      return { delivered: res.ok, detail: `HTTP ${res.status}` };
    } catch (err) {
      return { delivered: false, detail: (err as Error).message };
    }
  }
}
