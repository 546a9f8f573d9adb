import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import { CacheStatus, decodeAnswer, type ProxyAnswer, type UpstreamAnswer } from './answer.js';
import { RequestHasher } from './body-hash.js';
import { cacheKey, staleKeyOf } from './cache-key.js';
import { Coalescer } from './coalesce.js';
import { RateLimitedError, UpstreamError, UpstreamTimeoutError } from './errors.js';
import { fillAcrossInstances, type Filled } from './fill.js';
import { ProxyMetric, type ProxyMetrics } from './metrics.js';
import { RateLimiter } from './rate-limit.js';
import type { ServingCache } from './serving.js';
import type { CacheStore } from './store.js';
import type { Serving } from '../state/types.js';
import type { Upstream } from './upstream.js';

/** One validated prediction request (functions/inference-proxy.ts builds it from the event). */
export interface PredictRequest {
  environment: string;
  /** The route path, e.g. /v1/prod/predict: part of the cache key. */
  path: string;
  /** The body as received: what is forwarded. It must be JSON; its canonical form is part of the cache key. */
  body: string;
  /** `Cache-Control: no-cache`: do not answer from the cache. */
  noCache: boolean;
  /** Id of the caller's API key (null when auth is off). */
  apiKeyId: string | null;
}

/** Logs the proxy writes (Powertools Logger satisfies it). */
export interface ProxyLogger {
  warn(message: string, attributes: Record<string, unknown>): void;
}

/** What InferenceProxy is built from. */
export interface InferenceProxyDeps {
  /** Shared cache; must not throw (FailOpenStore). */
  store: CacheStore;
  serving: ServingCache;
  upstreams: { resolve(serving: Serving): Upstream };
  metrics: ProxyMetrics;
  logger: ProxyLogger;
  clock: Clock;
  /** s */
  cacheTtlSeconds: number;
  /** s a stale copy of each answer is kept beyond its TTL, for when the service fails; 0 = off (default 86 400). */
  staleIfErrorSeconds?: number;
  /** ms: how long another instance's upstream call may hold a key's lock */
  lockTtlMs: number;
  /** ms */
  lockPollMs: number;
  keyPrefix: string;
  /** requests per API key per minute; 0 = none */
  rateLimitPerMinute: number;
}

/**
 * The caching proxy: answers from the cache when it can, else forwards to what serves the
 * environment, with identical misses coalesced in this instance and across instances.
 */
export class InferenceProxy {
  private readonly inflight = new Coalescer<Filled>();
  private readonly hasher = new RequestHasher();
  private readonly limiter: RateLimiter;
  private readonly owner = randomUUID();

  constructor(private readonly deps: InferenceProxyDeps) {
    this.limiter = new RateLimiter(deps.store, deps.rateLimitPerMinute, deps.keyPrefix, deps.clock);
  }

  /** Throws InvalidJsonError (nothing forwarded) when the body is not JSON. */
  async predict(req: PredictRequest): Promise<ProxyAnswer> {
    const { store, metrics } = this.deps;
    const requestHash = this.hasher.hash('POST', req.path, req.body);
    // Counted alongside the cache read (one round trip on a hit), awaited before any answer.
    const admitted = this.limiter.applies(req.apiKeyId) ? this.admit(req.apiKeyId) : undefined;

    const serving = this.deps.serving.known(req.environment) ?? (await this.deps.serving.get(req.environment));
    const upstream = this.deps.upstreams.resolve(serving);
    const key = cacheKey(this.deps.keyPrefix, req.environment, serving.version, requestHash);

    if (req.noCache) {
      // Bypass means the cache is neither read nor written: the client asked for a fresh answer,
      // not for one to be shared with others.
      await admitted;
      metrics.count(ProxyMetric.CacheBypass);
      return { ...(await this.forward(upstream, req.body)), cache: CacheStatus.Bypass };
    }

    const raw = admitted ? (await Promise.all([store.get(key), admitted]))[0] : await store.get(key);
    const cached = raw === null ? null : decodeAnswer(raw, CacheStatus.Hit);
    if (cached) {
      metrics.count(ProxyMetric.CacheHit);
      return cached;
    }

    metrics.count(ProxyMetric.CacheMiss);
    const { promise, shared } = this.inflight.run(key, () =>
      fillAcrossInstances(store, key, () => this.forward(upstream, req.body), {
        ttlMs: this.deps.cacheTtlSeconds * 1000,
        lockTtlMs: this.deps.lockTtlMs,
        pollMs: this.deps.lockPollMs,
        owner: this.owner,
        staleMs: (this.deps.staleIfErrorSeconds ?? 0) * 1000,
      }),
    );
    let filled: Filled;
    try {
      filled = await promise;
    } catch (err) {
      const stale = err instanceof UpstreamError || err instanceof UpstreamTimeoutError ? await this.stale(key) : null;
      if (!stale) throw err;
      return stale;
    }
    if (shared || filled.fromCache) metrics.count(ProxyMetric.Coalesced);
    return { ...filled.answer, cache: filled.fromCache ? CacheStatus.Hit : CacheStatus.Miss };
  }

  /**
   * The stale copy of the answer to this request: its key holds the version serving now, so it is
   * never another version's answer. null when stale-if-error is off or there is none.
   */
  private async stale(key: string): Promise<ProxyAnswer | null> {
    if (!this.deps.staleIfErrorSeconds) return null;
    const raw = await this.deps.store.get(staleKeyOf(key));
    const answer = raw === null ? null : decodeAnswer(raw, CacheStatus.Stale);
    if (answer) {
      this.deps.metrics.count(ProxyMetric.CacheStale);
      this.deps.logger.warn('service failed: answered from a stale copy', { key });
    }
    return answer;
  }

  private admit(keyId: string): Promise<void> {
    const admitted = this.limiter.admit(keyId).catch((err: unknown) => {
      if (err instanceof RateLimitedError) this.deps.metrics.count(ProxyMetric.RateLimited);
      throw err;
    });
    // Handled here too: it may reject while the request fails for another reason.
    admitted.catch(() => undefined);
    return admitted;
  }

  private async forward(upstream: Upstream, body: string): Promise<UpstreamAnswer> {
    const { metrics } = this.deps;
    const started = performance.now();
    try {
      return await upstream.predict(body);
    } catch (err) {
      metrics.count(err instanceof UpstreamTimeoutError ? ProxyMetric.UpstreamTimeout : ProxyMetric.UpstreamError);
      this.deps.logger.warn('upstream call failed', { upstream: upstream.label, error: String(err) });
      throw err;
    } finally {
      metrics.upstreamLatency(performance.now() - started);
    }
  }
}
