import * as z from 'zod';
import { Outcome } from '../lib/notify/types.js';
import { notify } from '../lib/rollout/notify.js';
import type { RolloutState } from '../lib/rollout/state.js';
import { taskHandler } from './task-handler.js';

const notifyEventSchema = z.strictObject({
  outcome: z.enum(Object.values(Outcome) as [Outcome, ...Outcome[]]),
  state: z.looseObject({ rolloutId: z.string().min(1) }),
  /** The execution's ARN ($$.Execution.Id), for the console link. */
  execution: z.string().min(1).optional(),
});

/** Notify: the one message of a terminal outcome (SNS on AWS; outbox + Slack locally). */
export const handler = taskHandler(notifyEventSchema, (rt, e) => notify(rt, e.outcome, e.state as unknown as RolloutState, e.execution));
