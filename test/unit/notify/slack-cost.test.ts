import { readFileSync } from 'node:fs';
import { slackMessage } from '../../../lib/notify/slack-blocks.js';
import type { RolloutNotification } from '../../../lib/notify/types.js';
import { costOfTransitions } from '../../../lib/rollout/cost.js';

const rolledBack = JSON.parse(
  readFileSync(new URL('../../fixtures/events/notification-rolled-back.json', import.meta.url), 'utf8'),
) as RolloutNotification;

test("the Slack message states the rollout's AWS cost estimate", () => {
  const cost = costOfTransitions(
    [
      { state: 'ValidateBundle', type: 'Task', at: 0 },
      { state: 'Succeeded', type: 'Succeed', at: 2_000 },
    ],
    2_000,
  );
  const { blocks } = slackMessage({ ...rolledBack, cost });
  const context = blocks.find((b) => b.type === 'context');
  expect(context?.type === 'context' && context.elements[0]?.text).toMatch(
    / · AWS cost ≈ \$0\.0000\d+ \(2 state transitions, 1 Lambda GB-s\)$/,
  );
});
