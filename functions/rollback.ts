import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import * as z from 'zod';
import { logger } from '../lib/observability/logger.js';
import { systemClock } from '../lib/clock.js';
import { slug } from '../lib/plan/target-schema.js';
import { requiredEnv, sfn } from '../lib/start/clients.js';
import { startRollback, type RollbackStart } from '../lib/start/rollback.js';
import { parseEvent } from './parse-event.js';

/** `sls invoke -f rollback --data '{"environment":"skin-dev"}'`. */
const rollbackRequestSchema = z.strictObject({ environment: slug });

/** Manual rollback: starts the rollback state machine, which restores the last known-good release. */
export const handler = middy<z.infer<typeof rollbackRequestSchema>, RollbackStart, Error, Context>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(parseEvent(rollbackRequestSchema, '{"environment": "<name>"}'))
  .handler(async ({ environment }) => {
    logger.appendKeys({ environment });
    const started = await startRollback(
      { sfn: sfn(), stateMachineArn: requiredEnv('ROLLBACK_STATE_MACHINE_ARN'), clock: systemClock },
      environment,
    );
    logger.appendKeys({ executionId: started.executionArn });
    logger.info('rollback started', { rolloutId: started.rolloutId });
    return started;
  });
