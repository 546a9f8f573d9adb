/**
 * Every default of the inference proxy, in one place. lib/proxy/config.ts reads overrides from
 * the environment; nothing else holds a default.
 */
export const PROXY_DEFAULTS = {
  /** How long a cached answer lives, s (seed 002's release.yaml: cache.ttl 3600). */
  cacheTtlSeconds: 3600,
  /**
   * How long a stale copy of each answer outlives its TTL, s: answered (x-cache: stale) when the
   * service fails for a request it answered before, of the version serving now. 0 turns it off.
   */
  staleIfErrorSeconds: 86_400,
  /** The local proxy's HTTP server: headers must arrive within this, ms (slowloris). */
  localHeadersTimeoutMs: 10_000,
  /** The local proxy's HTTP server: the whole request (headers and body) within this, ms. */
  localRequestTimeoutMs: 30_000,
  /** The local proxy's HTTP server: an idle keep-alive connection is closed after this, ms. */
  localKeepAliveTimeoutMs: 5_000,
  /** The local proxy's HTTP server: connections open at once; more are refused. */
  localMaxConnections: 1_024,
  /** How often the local proxy's HTTP server checks the timeouts above, ms (Node's default is 30 s). */
  localTimeoutCheckMs: 1_000,
  /** Largest request body accepted, bytes (decoded). Larger → 413, nothing forwarded. */
  maxBodyBytes: 1_048_576,
  /** How long one upstream call may take, ms, before the caller gets 504. */
  upstreamTimeoutMs: 10_000,
  /**
   * How long one Redis command may take, ms, before the proxy gives up on the cache for that
   * request (fail open); noticed within half of it again (one shared timer, see fail-open.ts).
   * ElastiCache in the same VPC answers in about a millisecond.
   */
  redisTimeoutMs: 20,
  /** How long the serving version of an environment is remembered, ms. */
  servingCacheMs: 2_000,
  /** How often a request waiting on another instance's upstream call looks at the cache, ms. */
  lockPollMs: 20,
  /** Requests per API key per minute; 0 turns the per-key limit off. */
  rateLimitPerMinute: 0,
  /** How long API keys read from SSM are remembered, ms. */
  apiKeysCacheMs: 300_000,
  /** Namespace of every Redis key the proxy writes. */
  keyPrefix: 'mlr:proxy:',
  /** Entries of the in-process LRU used when no Redis is configured or none answered. */
  lruMaxEntries: 1_000,
  /** Redis of the local proxy (`ml-rollout proxy`). */
  localRedisUrl: 'redis://127.0.0.1:6379',
  /** Port of the local proxy. */
  localPort: 7070,
  /** Address the local proxy listens on. */
  localHost: '127.0.0.1',
  /** How long the local proxy waits for Redis to answer a PING at start, ms. */
  localRedisProbeMs: 500,
} as const;

/** Route of the proxy, on API Gateway and locally. */
export const PROXY_ROUTE = 'POST /v1/{environment}/predict';

/** Path on the serving service that predictions are forwarded to (URL targets). */
export const UPSTREAM_PREDICT_PATH = '/predict';
