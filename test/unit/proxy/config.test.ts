import { lockTtlMs, proxyConfigFromEnv, ProxyConfigError } from '../../../lib/proxy/config.js';
import { PROXY_DEFAULTS } from '../../../lib/proxy/defaults.js';

describe('proxyConfigFromEnv', () => {
  it('takes every default from PROXY_DEFAULTS when nothing is set', () => {
    const c = proxyConfigFromEnv({ PATH: '/usr/bin', HOME: '/root' });
    expect(c).toEqual({
      cacheTtlSeconds: PROXY_DEFAULTS.cacheTtlSeconds,
      staleIfErrorSeconds: PROXY_DEFAULTS.staleIfErrorSeconds,
      maxBodyBytes: PROXY_DEFAULTS.maxBodyBytes,
      upstreamTimeoutMs: PROXY_DEFAULTS.upstreamTimeoutMs,
      redisTimeoutMs: PROXY_DEFAULTS.redisTimeoutMs,
      servingCacheMs: PROXY_DEFAULTS.servingCacheMs,
      lockPollMs: PROXY_DEFAULTS.lockPollMs,
      rateLimitPerMinute: PROXY_DEFAULTS.rateLimitPerMinute,
      apiKeysCacheMs: PROXY_DEFAULTS.apiKeysCacheMs,
      keyPrefix: PROXY_DEFAULTS.keyPrefix,
      lruMaxEntries: PROXY_DEFAULTS.lruMaxEntries,
      redisUrl: null,
      apiKeysParameter: null,
    });
    expect(c.cacheTtlSeconds).toBe(3600);
  });

  it('reads overrides, treating empty values as unset', () => {
    const c = proxyConfigFromEnv({
      PROXY_CACHE_TTL_SECONDS: '60',
      PROXY_UPSTREAM_TIMEOUT_MS: '2500',
      REDIS_URL: 'rediss://cache.example.internal:6379',
      PROXY_API_KEYS_PARAMETER: '/ml-rollout/prod/proxy/api-keys',
      PROXY_RATE_LIMIT_PER_MINUTE: '',
    });
    expect(c).toMatchObject({
      cacheTtlSeconds: 60,
      upstreamTimeoutMs: 2500,
      redisUrl: 'rediss://cache.example.internal:6379',
      apiKeysParameter: '/ml-rollout/prod/proxy/api-keys',
      rateLimitPerMinute: 0,
    });
    expect(lockTtlMs(c)).toBe(3500);
  });

  it.each([
    ['PROXY_CACHE_TTL_SECONDS', '0'],
    ['PROXY_CACHE_TTL_SECONDS', 'an hour'],
    ['PROXY_UPSTREAM_TIMEOUT_MS', '60000'],
    ['REDIS_URL', 'http://127.0.0.1:6379'],
    ['PROXY_API_KEYS_PARAMETER', 'no-leading-slash'],
  ])('refuses %s=%s, naming the variable', (name, value) => {
    expect(() => proxyConfigFromEnv({ [name]: value })).toThrow(ProxyConfigError);
    expect(() => proxyConfigFromEnv({ [name]: value })).toThrow(name);
  });
});
