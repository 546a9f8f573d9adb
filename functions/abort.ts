import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import * as z from 'zod';
import { sfnTaskCallbacks } from '../lib/aws/task-callbacks.js';
import { logger } from '../lib/observability/logger.js';
import { slug } from '../lib/plan/target-schema.js';
import { requestAbort, type AbortResult } from '../lib/rollout/control.js';
import { parseEvent } from './parse-event.js';
import { runtime } from './runtime.js';

/** `sls invoke -f abort --data '{"environment":"skin-dev","reason":"p95 doubled"}'`. */
const abortRequestSchema = z.strictObject({
  environment: slug,
  reason: z.string().min(1).max(500).optional(),
  by: z.string().min(1).max(200).optional(),
});

export type AbortResponse = { aborted: true; rollout: AbortResult } | { aborted: false; message: string };

/**
 * Abort: the running rollout of the environment rolls back (verified). A paused one at once
 * (SendTaskFailure with its stored token); otherwise at its next poll or gate sample.
 */
export const handler = middy<z.infer<typeof abortRequestSchema>, AbortResponse, Error, Context>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(parseEvent(abortRequestSchema, '{"environment": "<name>", "reason"?: "<why>"}'))
  .handler(async ({ environment, reason, by }, context) => {
    logger.appendKeys({ environment });
    const ask = { by: by ?? `lambda:${context.functionName}`, reason: reason ?? null };
    const rollout = await requestAbort(runtime(), environment, ask, sfnTaskCallbacks());
    if (!rollout) return { aborted: false, message: `no rollout of ${environment} is running` };
    logger.info('rollout aborted', { rolloutId: rollout.rolloutId, waiting: rollout.waiting });
    return { aborted: true, rollout };
  });
