import { resolve } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { SSMClient } from '@aws-sdk/client-ssm';
import { stateHome } from '../plan/defaults.js';
import { LocalStateStore } from '../state/local-store.js';
import { staticKeys, type ApiKeySource } from './auth.js';
import { buildProxy, type HandlerDeps } from './build.js';
import { proxyConfigFromEnv, type ProxyConfig } from './config.js';
import { MemoryStore } from './memory-store.js';
import { debugSamplingFromEnv } from './middleware.js';
import { PowertoolsProxyMetrics } from './metrics.js';
import { createRedisClient, RedisStore } from './redis-store.js';
import type { ServingLookup } from './serving.js';
import { SsmApiKeySource } from './ssm-keys.js';
import type { CacheStore } from './store.js';

/**
 * The rollout state the Lambda reads: S3 ($STATE_BUCKET, $STATE_PREFIX) on AWS, else the files
 * under $ML_ROLLOUT_HOME. Only the S3 state store is loaded, not the rest of the AWS runtime.
 */
export async function defaultServingLookup(env: NodeJS.ProcessEnv): Promise<ServingLookup> {
  if (!env.STATE_BUCKET) return new LocalStateStore(resolve(stateHome(env)));
  const [{ S3StateStore, DEFAULT_STATE_PREFIX }, { s3 }] = await Promise.all([
    import('../state/s3-store.js'),
    import('../bundle/s3-fetch.js'),
  ]);
  return new S3StateStore(s3(), { bucket: env.STATE_BUCKET, prefix: env.STATE_PREFIX || DEFAULT_STATE_PREFIX });
}

/** API keys: the SSM parameter when set, else ML_ROLLOUT_API_KEY, else none (auth off). */
export function apiKeySource(config: ProxyConfig, env: NodeJS.ProcessEnv, ssm: () => SSMClient): ApiKeySource | null {
  if (config.apiKeysParameter) return new SsmApiKeySource(ssm(), config.apiKeysParameter, config.apiKeysCacheMs);
  return env.ML_ROLLOUT_API_KEY ? staticKeys(env.ML_ROLLOUT_API_KEY) : null;
}

/** What the Lambda is built from; each part replaceable in tests. */
export interface LambdaDepsOptions {
  serving?: ServingLookup;
  ssm?: SSMClient;
}

let ssmClient: SSMClient | undefined;

/**
 * The handler's dependencies in a Lambda container, built once per container: Redis at
 * $REDIS_URL (ElastiCache; without it an in-process LRU), keys from SSM, Powertools logs and EMF.
 */
export async function lambdaDeps(env: NodeJS.ProcessEnv = process.env, options: LambdaDepsOptions = {}): Promise<HandlerDeps> {
  const config = proxyConfigFromEnv(env);
  const logger = new Logger({ serviceName: env.POWERTOOLS_SERVICE_NAME ?? 'inference-proxy' });
  const metrics = new Metrics({
    serviceName: env.POWERTOOLS_SERVICE_NAME ?? 'inference-proxy',
    namespace: env.POWERTOOLS_METRICS_NAMESPACE ?? 'MlRollout',
    logger,
  });
  let store: CacheStore;
  if (config.redisUrl) {
    const redis = createRedisClient(config.redisUrl, {
      onError: (err) => logger.debug('redis connection error', { error: err.message }),
    });
    store = new RedisStore(redis);
  } else {
    logger.warn('REDIS_URL is not set: caching in this instance only');
    store = new MemoryStore(config.lruMaxEntries);
  }
  const ssm = () => options.ssm ?? (ssmClient ??= new SSMClient({}));
  const keys = apiKeySource(config, env, ssm);
  if (!keys) logger.warn('no API keys configured (PROXY_API_KEYS_PARAMETER, ML_ROLLOUT_API_KEY): auth is off');
  const parts = buildProxy({
    config,
    serving: options.serving ?? (await defaultServingLookup(env)),
    keys,
    store,
    metrics: new PowertoolsProxyMetrics(metrics),
    logger,
  });
  return {
    ...parts,
    maxBodyBytes: config.maxBodyBytes,
    logger,
    logDebugSampling: debugSamplingFromEnv(env),
    emf: metrics,
  };
}
