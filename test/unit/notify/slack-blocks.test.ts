import { readFileSync } from 'node:fs';
import { escapeMrkdwn, executionLink, formatDuration, slackMessage, type SlackBlock } from '../../../lib/notify/slack-blocks.js';
import type { RolloutNotification } from '../../../lib/notify/types.js';

/** The notification of a rollout rolled back in faiss-scin (shared with the other notifier tests). */
const rolledBack = JSON.parse(
  readFileSync(new URL('../../fixtures/events/notification-rolled-back.json', import.meta.url), 'utf8'),
) as RolloutNotification;
const EXECUTION = rolledBack.execution!;

const succeeded: RolloutNotification = {
  ...rolledBack,
  outcome: 'succeeded',
  phase: null,
  reason: null,
  rollback: null,
  durationMs: 61_000,
};

/** All the text a reader sees in the blocks. */
function textOf(blocks: SlackBlock[]): string {
  return blocks
    .flatMap((b) => {
      if (b.type === 'header') return [b.text.text];
      if (b.type === 'section') return [b.text?.text ?? '', ...(b.fields ?? []).map((f) => f.text)];
      if (b.type === 'context') return b.elements.map((e) => e.text);
      if (b.type === 'actions') return b.elements.map((e) => `${e.text.text} ${e.url}`);
      return [];
    })
    .join('\n');
}

describe('slackMessage', () => {
  it('says status, environment, previous → new version, the failed phase and check with value and threshold, and the duration', () => {
    const { text, blocks } = slackMessage(rolledBack);
    const all = textOf(blocks);
    expect(blocks[0]).toMatchObject({ type: 'header', text: { type: 'plain_text' } });
    expect(all).toContain('rolled back');
    expect(all).toContain('skin-prod');
    expect(all).toContain('`1.2.0` → `1.3.0`');
    expect(all).toContain('*Failed phase*: `faiss-scin`');
    expect(all).toContain('memoryPercent: measured 93.2 %, threshold 80 %');
    expect(all).toContain('restored `1.2.0`, verified healthy');
    expect(all).toContain('4 min 12 s');
    expect(text).toContain('memoryPercent 93.2 % &gt; 80 %');
  });

  it('links the execution in the Step Functions console', () => {
    const actions = slackMessage(rolledBack).blocks.find((b) => b.type === 'actions');
    expect(actions).toEqual({
      type: 'actions',
      elements: [
        {
          type: 'button',
          text: { type: 'plain_text', text: 'Open execution' },
          url: `https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/${EXECUTION}`,
        },
      ],
    });
  });

  it('has no failure section for a success, and no button without an execution', () => {
    const { blocks } = slackMessage({ ...succeeded, execution: undefined });
    const all = textOf(blocks);
    expect(all).toContain('succeeded');
    expect(all).not.toContain('Failed phase');
    expect(blocks.some((b) => b.type === 'actions')).toBe(false);
    expect(all).toContain('1 min 1 s');
  });

  it('names an inconclusive check and a rollback that failed', () => {
    const all = textOf(
      slackMessage({
        ...rolledBack,
        outcome: 'rollback_failed',
        reason: {
          error: 'GateFailed',
          message: 'cpu',
          check: { name: 'cpuPercent', value: null, threshold: 70, passed: false, inconclusive: true, unit: ' %' },
        },
        rollback: { performed: true, restoredVersion: '1.2.0', verified: false },
      }).blocks,
    );
    expect(all).toContain('ROLLBACK FAILED');
    expect(all).toContain('cpuPercent: could not be measured (threshold 70 %)');
    expect(all).toContain('*not verified healthy*');
  });

  it('escapes what a bundle controls, so a version cannot mention @channel or forge a link', () => {
    const { text, blocks } = slackMessage({
      ...rolledBack,
      version: '<!channel>',
      reason: { error: 'BundleInvalid', message: '<http://x|y> & z' },
    });
    // The header is plain_text, which Slack never parses; everything else is mrkdwn.
    const mrkdwn = `${text}\n${textOf(blocks.filter((b) => b.type !== 'header'))}`;
    expect(mrkdwn).toContain('&lt;!channel&gt;');
    expect(mrkdwn).toContain('&lt;http://x|y&gt; &amp; z');
    expect(mrkdwn).not.toContain('<!channel>');
    expect(escapeMrkdwn('a<b>&c')).toBe('a&lt;b&gt;&amp;c');
  });

  it('keeps within Slack limits', () => {
    const { blocks } = slackMessage({ ...rolledBack, environment: 'e'.repeat(300), reason: { error: 'X', message: 'm'.repeat(5000) } });
    const header = blocks[0];
    expect(header?.type === 'header' && header.text.text.length).toBeLessThanOrEqual(150);
    for (const b of blocks) if (b.type === 'section' && b.text) expect(b.text.text.length).toBeLessThanOrEqual(3000);
  });
});

describe('executionLink', () => {
  it('maps ARNs of each partition to its console, passes URLs through, ignores the rest', () => {
    expect(executionLink('arn:aws-cn:states:cn-north-1:123456789012:execution:m:n')).toBe(
      'https://cn-north-1.console.amazonaws.cn/states/home?region=cn-north-1#/v2/executions/details/arn:aws-cn:states:cn-north-1:123456789012:execution:m:n',
    );
    expect(executionLink('https://example.test/x')).toBe('https://example.test/x');
    expect(executionLink('local:run-1')).toBeNull();
    expect(executionLink(undefined)).toBeNull();
  });
});

describe('formatDuration', () => {
  it('reads like a person would say it', () => {
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(42_000)).toBe('42 s');
    expect(formatDuration(252_000)).toBe('4 min 12 s');
    expect(formatDuration(3_780_000)).toBe('1 h 3 min');
  });
});
