import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';

/** Metric names (CloudWatch, via EMF). */
export const ProxyMetric = {
  CacheHit: 'CacheHit',
  CacheMiss: 'CacheMiss',
  CacheBypass: 'CacheBypass',
  /** Answers from a stale copy because the service failed (stale-if-error). */
  CacheStale: 'CacheStale',
  /** Requests that did not call upstream because an identical one was already doing so. */
  Coalesced: 'Coalesced',
  /** Cache operations that failed or timed out, the request going on without the cache. */
  CacheFailOpen: 'CacheFailOpen',
  UpstreamError: 'UpstreamError',
  UpstreamTimeout: 'UpstreamTimeout',
  RateLimited: 'RateLimited',
  /** 4xx answers of the proxy itself: bad input, auth, unknown environment, throttled. */
  Refused: 'Refused',
  /** 5xx answers not caused by upstream: state or keys unreadable, a bug. */
  ProxyFailure: 'ProxyFailure',
  /** ms */
  UpstreamLatency: 'UpstreamLatency',
} as const;
export type ProxyMetric = (typeof ProxyMetric)[keyof typeof ProxyMetric];
export type CountMetric = Exclude<ProxyMetric, typeof ProxyMetric.UpstreamLatency>;

/** What the proxy reports; the Lambda's implementation is Powertools Metrics. */
export interface ProxyMetrics {
  count(name: CountMetric, value?: number): void;
  /** ms of one upstream call */
  upstreamLatency(ms: number): void;
}

/** Adds to the Powertools Metrics of the invocation (flushed by its middy middleware). */
export class PowertoolsProxyMetrics implements ProxyMetrics {
  constructor(private readonly metrics: Metrics) {}

  count(name: CountMetric, value = 1): void {
    this.metrics.addMetric(name, MetricUnit.Count, value);
  }

  upstreamLatency(ms: number): void {
    this.metrics.addMetric(ProxyMetric.UpstreamLatency, MetricUnit.Milliseconds, ms);
  }
}

/** Counters in memory: the local proxy and tests. */
export class CountingMetrics implements ProxyMetrics {
  readonly counts: Partial<Record<CountMetric, number>> = {};
  readonly latenciesMs: number[] = [];

  count(name: CountMetric, value = 1): void {
    this.counts[name] = (this.counts[name] ?? 0) + value;
  }

  upstreamLatency(ms: number): void {
    // Bounded: only the latest are kept.
    if (this.latenciesMs.length >= 10_000) this.latenciesMs.shift();
    this.latenciesMs.push(ms);
  }

  get(name: CountMetric): number {
    return this.counts[name] ?? 0;
  }
}
