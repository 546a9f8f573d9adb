import { Logger } from '@aws-lambda-powertools/logger';

/**
 * One structured logger for every function (Powertools: JSON lines, Lambda context keys).
 * POWERTOOLS_LOG_LEVEL sets the level; the local CLI sets it to SILENT unless asked to be verbose,
 * since it prints its own progress.
 */
export const logger = new Logger({ serviceName: 'ml-rollout' });
