import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Redis } from 'ioredis';
import { createInferenceProxyHandler } from '../../../functions/inference-proxy.js';
import { staticKeys } from '../../../lib/proxy/auth.js';
import { buildProxy } from '../../../lib/proxy/build.js';
import { proxyConfigFromEnv } from '../../../lib/proxy/config.js';
import { CountingMetrics } from '../../../lib/proxy/metrics.js';
import { createRedisClient, RedisStore } from '../../../lib/proxy/redis-store.js';
import { LocalStateStore } from '../../../lib/state/local-store.js';
import { eventFixture, lambdaContext, recordingLogger } from '../../unit/proxy/support.js';

/** One proxy "instance" (a Lambda container) on a real Redis, reading the state under `home`. */
export interface Instance {
  invoke(event?: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2>;
  metrics: CountingMetrics;
  redis: Redis;
  warnings: string[];
}

/** A unique key namespace per test file run. */
export const testPrefix = (): string => `mlr:test:${randomUUID()}:`;

export function instance(redisUrl: string, home: string, env: NodeJS.ProcessEnv): Instance {
  const config = proxyConfigFromEnv({ PROXY_SERVING_CACHE_MS: '0', ...env });
  const redis = createRedisClient(redisUrl);
  const metrics = new CountingMetrics();
  const logger = recordingLogger();
  const parts = buildProxy({
    config,
    serving: new LocalStateStore(home),
    keys: staticKeys('test-key-1'),
    store: new RedisStore(redis),
    metrics,
    logger,
  });
  const handler = createInferenceProxyHandler({
    ...parts,
    maxBodyBytes: config.maxBodyBytes,
    logger: new Logger({ serviceName: 'inference-proxy-test', logLevel: 'SILENT' }),
  });
  return {
    invoke: async (event = eventFixture('predict')) => (await handler(event, lambdaContext())) as APIGatewayProxyStructuredResultV2,
    metrics,
    redis,
    warnings: logger.lines,
  };
}
