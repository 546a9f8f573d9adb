import * as z from 'zod';
import { PROXY_DEFAULTS } from './defaults.js';

/** How the proxy behaves; every field has its default in PROXY_DEFAULTS. */
export interface ProxyConfig {
  /** Cache lifetime of an answer, s (default 3600). */
  cacheTtlSeconds: number;
  /** How long a stale copy of each answer outlives its TTL, answered when the service fails, s (default 86 400; 0 = off). */
  staleIfErrorSeconds: number;
  /** Largest accepted request body, bytes (default 1 MiB). */
  maxBodyBytes: number;
  /** Bound of one upstream call, ms (default 10 000). */
  upstreamTimeoutMs: number;
  /** Bound of one Redis command before failing open, ms (default 20). */
  redisTimeoutMs: number;
  /** How long an environment's serving version is remembered, ms (default 2000). */
  servingCacheMs: number;
  /** Poll interval of a request waiting on another instance's upstream call, ms (default 20). */
  lockPollMs: number;
  /** Requests per API key per minute; 0 = no per-key limit (default 0). */
  rateLimitPerMinute: number;
  /** How long API keys read from SSM are kept, ms (default 300 000). */
  apiKeysCacheMs: number;
  /** Prefix of every Redis key (default "mlr:proxy:"). */
  keyPrefix: string;
  /** Entries of the in-process LRU fallback (default 1000). */
  lruMaxEntries: number;
  /** Redis URL (redis:// or rediss://); null = in-process LRU only. */
  redisUrl: string | null;
  /** SSM parameter (SecureString, keys separated by commas or newlines); null = not on AWS. */
  apiKeysParameter: string | null;
}

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const emptyAsUndefined = (value: unknown) => (value === '' ? undefined : value);

/** Environment variables the proxy reads. Others in the environment are none of its business. */
const envSchema = z.strictObject({
  PROXY_CACHE_TTL_SECONDS: z.preprocess(emptyAsUndefined, int(1, 7 * 86_400).default(PROXY_DEFAULTS.cacheTtlSeconds)),
  PROXY_STALE_IF_ERROR_SECONDS: z.preprocess(emptyAsUndefined, int(0, 30 * 86_400).default(PROXY_DEFAULTS.staleIfErrorSeconds)),
  PROXY_MAX_BODY_BYTES: z.preprocess(emptyAsUndefined, int(1, 6 * 1_048_576).default(PROXY_DEFAULTS.maxBodyBytes)),
  // API Gateway gives up on an integration after 30 s.
  PROXY_UPSTREAM_TIMEOUT_MS: z.preprocess(emptyAsUndefined, int(1, 29_000).default(PROXY_DEFAULTS.upstreamTimeoutMs)),
  PROXY_REDIS_TIMEOUT_MS: z.preprocess(emptyAsUndefined, int(1, 5_000).default(PROXY_DEFAULTS.redisTimeoutMs)),
  PROXY_SERVING_CACHE_MS: z.preprocess(emptyAsUndefined, int(0, 60_000).default(PROXY_DEFAULTS.servingCacheMs)),
  PROXY_LOCK_POLL_MS: z.preprocess(emptyAsUndefined, int(1, 1_000).default(PROXY_DEFAULTS.lockPollMs)),
  PROXY_RATE_LIMIT_PER_MINUTE: z.preprocess(emptyAsUndefined, int(0, 1_000_000).default(PROXY_DEFAULTS.rateLimitPerMinute)),
  PROXY_API_KEYS_CACHE_MS: z.preprocess(emptyAsUndefined, int(0, 3_600_000).default(PROXY_DEFAULTS.apiKeysCacheMs)),
  PROXY_KEY_PREFIX: z.preprocess(emptyAsUndefined, z.string().max(100).default(PROXY_DEFAULTS.keyPrefix)),
  PROXY_LRU_MAX_ENTRIES: z.preprocess(emptyAsUndefined, int(1, 1_000_000).default(PROXY_DEFAULTS.lruMaxEntries)),
  REDIS_URL: z.preprocess(emptyAsUndefined, z.url({ protocol: /^rediss?$/ }).optional()),
  PROXY_API_KEYS_PARAMETER: z.preprocess(emptyAsUndefined, z.string().startsWith('/').optional()),
});

const KNOWN = Object.keys(envSchema.shape) as (keyof typeof envSchema.shape)[];

/** Thrown for a setting out of range; names the variable. */
export class ProxyConfigError extends Error {
  override readonly name = 'ProxyConfigError';
}

/** Reads the proxy's settings from environment variables (unset or empty → default). */
export function proxyConfigFromEnv(env: NodeJS.ProcessEnv = process.env): ProxyConfig {
  const picked = Object.fromEntries(KNOWN.filter((k) => env[k] !== undefined).map((k) => [k, env[k]]));
  const parsed = envSchema.safeParse(picked);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ProxyConfigError(`invalid ${String(issue?.path[0] ?? 'setting')}: ${issue?.message ?? 'invalid'}`, {
      cause: parsed.error,
    });
  }
  const e = parsed.data;
  return {
    cacheTtlSeconds: e.PROXY_CACHE_TTL_SECONDS,
    staleIfErrorSeconds: e.PROXY_STALE_IF_ERROR_SECONDS,
    maxBodyBytes: e.PROXY_MAX_BODY_BYTES,
    upstreamTimeoutMs: e.PROXY_UPSTREAM_TIMEOUT_MS,
    redisTimeoutMs: e.PROXY_REDIS_TIMEOUT_MS,
    servingCacheMs: e.PROXY_SERVING_CACHE_MS,
    lockPollMs: e.PROXY_LOCK_POLL_MS,
    rateLimitPerMinute: e.PROXY_RATE_LIMIT_PER_MINUTE,
    apiKeysCacheMs: e.PROXY_API_KEYS_CACHE_MS,
    keyPrefix: e.PROXY_KEY_PREFIX,
    lruMaxEntries: e.PROXY_LRU_MAX_ENTRIES,
    redisUrl: e.REDIS_URL ?? null,
    apiKeysParameter: e.PROXY_API_KEYS_PARAMETER ?? null,
  };
}

/** How long another instance's upstream call can hold the lock, ms: it cannot outlive its timeout. */
export function lockTtlMs(config: ProxyConfig): number {
  return config.upstreamTimeoutMs + 1_000;
}
