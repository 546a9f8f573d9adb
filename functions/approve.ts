import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import * as z from 'zod';
import { sfnTaskCallbacks } from '../lib/aws/task-callbacks.js';
import { logger } from '../lib/observability/logger.js';
import { slug } from '../lib/plan/target-schema.js';
import { approveRollout, type ApproveResult } from '../lib/rollout/control.js';
import { parseEvent } from './parse-event.js';
import { runtime } from './runtime.js';

/** `sls invoke -f approve --data '{"environment":"skin-dev"}'` (`by` names who approves; default the function). */
const approveRequestSchema = z.strictObject({ environment: slug, by: z.string().min(1).max(200).optional() });

/** What the invoker sees: whether a rollout was waiting, and which. */
export type ApproveResponse = { approved: true; rollout: ApproveResult } | { approved: false; message: string };

/** Approve: the paused rollout of the environment goes on (SendTaskSuccess with its stored token). */
export const handler = middy<z.infer<typeof approveRequestSchema>, ApproveResponse, Error, Context>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(parseEvent(approveRequestSchema, '{"environment": "<name>"}'))
  .handler(async ({ environment, by }, context) => {
    logger.appendKeys({ environment });
    const rollout = await approveRollout(runtime(), environment, by ?? `lambda:${context.functionName}`, sfnTaskCallbacks());
    if (!rollout) return { approved: false, message: `no rollout of ${environment} waits for approval` };
    logger.info('rollout approved', { rolloutId: rollout.rolloutId, phase: rollout.phase });
    return { approved: true, rollout };
  });
