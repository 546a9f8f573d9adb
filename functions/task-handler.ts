import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import type { z } from 'zod';
import { InvalidEventError } from '../lib/errors.js';
import { logger } from '../lib/observability/logger.js';
import type { Runtime } from '../lib/runtime.js';
import { runtime } from './runtime.js';

/** Adds the rollout id and environment of the event to every log line of this invocation. */
const rolloutKeys = (): middy.MiddlewareObj<unknown> => ({
  before: (request) => {
    const e = request.event as {
      rolloutId?: string;
      plan?: { environment?: string };
      state?: { rolloutId?: string; plan?: { environment?: string } };
    };
    const rolloutId = e.rolloutId ?? e.state?.rolloutId;
    const environment = e.plan?.environment ?? e.state?.plan?.environment;
    logger.appendKeys({ ...(rolloutId ? { rolloutId } : {}), ...(environment ? { environment } : {}) });
  },
});

/**
 * A Task handler: validate the event against `schema`, call one lib/ function with the runtime,
 * return its result. Errors pass through unchanged: their `name` is what the ASL matches.
 */
export function taskHandler<S extends z.ZodType, O>(schema: S, fn: (rt: Runtime, input: z.infer<S>) => Promise<O>) {
  return middy<unknown, O, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(rolloutKeys())
    .handler(async (event) => {
      const parsed = schema.safeParse(event);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new InvalidEventError(`invalid event: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
      }
      try {
        const result = await fn(runtime(), parsed.data);
        logger.debug('task done');
        return result;
      } catch (err) {
        logger.info('task failed', { error: (err as Error).name, detail: (err as Error).message });
        throw err;
      }
    });
}
