import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import * as z from 'zod';
import { logger } from '../lib/observability/logger.js';
import { systemClock } from '../lib/clock.js';
import { slug } from '../lib/plan/target-schema.js';
import { requiredEnv, sfn } from '../lib/start/clients.js';
import { startRollback, type RollbackStart } from '../lib/start/rollback.js';

/** `sls invoke -f rollback --data '{"environment":"skin-dev"}'`. */
const rollbackRequestSchema = z.strictObject({ environment: slug });

/** Manual rollback: starts the rollback state machine, which restores the last known-good release. */
export const handler = middy(async (event: unknown): Promise<RollbackStart> => {
  const parsed = rollbackRequestSchema.safeParse(event);
  if (!parsed.success) throw new TypeError(`expected {"environment": "<name>"}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  const { environment } = parsed.data;
  logger.appendKeys({ environment });
  const started = await startRollback(
    { sfn: sfn(), stateMachineArn: requiredEnv('ROLLBACK_STATE_MACHINE_ARN'), clock: systemClock },
    environment,
  );
  logger.appendKeys({ executionId: started.executionArn });
  logger.info('rollback started', { rolloutId: started.rolloutId });
  return started;
}).use(injectLambdaContext(logger, { resetKeys: true }));
