import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { systemClock, type Clock } from '../clock.js';
import { ApiKeyAuth, type ApiKeySource } from './auth.js';
import { lockTtlMs, type ProxyConfig } from './config.js';
import { FailOpenStore } from './fail-open.js';
import { ProxyMetric, type ProxyMetrics } from './metrics.js';
import { InferenceProxy, type ProxyLogger } from './proxy.js';
import { ServingCache, type ServingLookup } from './serving.js';
import type { CacheStore } from './store.js';
import { UpstreamResolver } from './upstreams.js';

/** What the handler needs, assembled. */
export interface ProxyParts {
  proxy: InferenceProxy;
  auth: ApiKeyAuth;
  metrics: ProxyMetrics;
}

/** The pieces a proxy is assembled from; everything with I/O is injected. */
export interface BuildProxyOptions {
  config: ProxyConfig;
  /** The rollout state (StateStore). */
  serving: ServingLookup;
  /** null: auth off. */
  keys: ApiKeySource | null;
  /** The shared cache (RedisStore, or MemoryStore when there is none); wrapped to fail open here. */
  store: CacheStore;
  metrics: ProxyMetrics;
  logger: ProxyLogger;
  clock?: Clock;
  /** The SageMaker runtime client, built on first use (default: one client for the process). */
  sagemaker?: () => SageMakerRuntimeClient;
  fetchFn?: typeof fetch;
}

/** Fail-open warnings: at most one per this many ms, the metric counts them all. */
const FAIL_OPEN_LOG_EVERY_MS = 10_000;

let sharedSageMaker: SageMakerRuntimeClient | undefined;
const defaultSageMaker = () => (sharedSageMaker ??= new SageMakerRuntimeClient({}));

export function buildProxy(options: BuildProxyOptions): ProxyParts {
  const { config, metrics, logger } = options;
  const clock = options.clock ?? systemClock;
  let lastWarned = Number.NEGATIVE_INFINITY;
  const store = new FailOpenStore(options.store, {
    timeoutMs: config.redisTimeoutMs,
    onFailure: (op, err) => {
      metrics.count(ProxyMetric.CacheFailOpen);
      const now = clock.now();
      if (now - lastWarned >= FAIL_OPEN_LOG_EVERY_MS) {
        lastWarned = now;
        logger.warn('cache unavailable: answering without it', { op, error: err.message });
      }
    },
  });
  const proxy = new InferenceProxy({
    store,
    serving: new ServingCache(options.serving, config.servingCacheMs, clock),
    upstreams: new UpstreamResolver(config.upstreamTimeoutMs, options.sagemaker ?? defaultSageMaker, options.fetchFn),
    metrics,
    logger,
    clock,
    cacheTtlSeconds: config.cacheTtlSeconds,
    staleIfErrorSeconds: config.staleIfErrorSeconds,
    lockTtlMs: lockTtlMs(config),
    lockPollMs: config.lockPollMs,
    keyPrefix: config.keyPrefix,
    rateLimitPerMinute: config.rateLimitPerMinute,
  });
  return { proxy, auth: new ApiKeyAuth(options.keys), metrics };
}

/** Everything the HTTP handler (functions/inference-proxy.ts) is made of. */
export interface HandlerDeps extends ProxyParts {
  /** bytes */
  maxBodyBytes: number;
  logger: Logger;
  /** POWERTOOLS_LOGGER_SAMPLE_RATE is above 0 (see lambdaLogContext); default false. */
  logDebugSampling?: boolean;
  /** Powertools Metrics flushed (EMF) after each invocation; absent where nobody reads EMF (local). */
  emf?: Metrics;
}
