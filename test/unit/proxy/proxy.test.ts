import { CacheStatus } from '../../../lib/proxy/answer.js';
import { proxyConfigFromEnv } from '../../../lib/proxy/config.js';
import { buildProxy } from '../../../lib/proxy/build.js';
import { RateLimitedError, UnknownEnvironmentError, UpstreamError } from '../../../lib/proxy/errors.js';
import { MemoryStore } from '../../../lib/proxy/memory-store.js';
import { CountingMetrics, ProxyMetric } from '../../../lib/proxy/metrics.js';
import type { PredictRequest } from '../../../lib/proxy/proxy.js';
import type { CacheStore } from '../../../lib/proxy/store.js';
import type { Serving } from '../../../lib/state/types.js';
import { manualClock, recordingLogger, serving } from './support.js';

/** A fake service behind fetch: counts calls, answers with the version it was given. */
function fakeService() {
  const state = { calls: 0, status: 200, release: null as Promise<void> | null };
  const fetchFn = (async (url: string, init: RequestInit) => {
    state.calls++;
    if (state.release) await state.release;
    return new Response(JSON.stringify({ url, body: JSON.parse(String(init.body)) as unknown }), {
      status: state.status,
      headers: { 'content-type': 'application/json' },
    });
  }) as unknown as typeof fetch;
  return { state, fetchFn };
}

function setup(opts: { env?: NodeJS.ProcessEnv; store?: CacheStore } = {}) {
  const records: Record<string, Serving> = { prod: serving('prod', '1.0.0', 'http://127.0.0.1:9001') };
  const service = fakeService();
  const metrics = new CountingMetrics();
  const clock = manualClock();
  const { proxy } = buildProxy({
    config: proxyConfigFromEnv({ PROXY_SERVING_CACHE_MS: '0', ...opts.env }),
    serving: { getServing: async (env) => records[env] ?? null },
    keys: null,
    store: opts.store ?? new MemoryStore(100, clock),
    metrics,
    logger: recordingLogger(),
    clock,
    fetchFn: service.fetchFn,
  });
  return { proxy, records, service, metrics, clock };
}

const request = (over: Partial<PredictRequest> = {}): PredictRequest => ({
  environment: 'prod',
  path: '/v1/prod/predict',
  body: '{"embedding":[1,2]}',
  noCache: false,
  apiKeyId: null,
  ...over,
});

describe('InferenceProxy', () => {
  it('forwards a miss, then answers the same request from the cache', async () => {
    const { proxy, service, metrics } = setup();
    const first = await proxy.predict(request());
    expect(first.cache).toBe(CacheStatus.Miss);
    const second = await proxy.predict(request({ body: '{ "embedding": [1, 2] }' }));
    expect(second).toEqual({ ...first, cache: CacheStatus.Hit });
    expect(service.state.calls).toBe(1);
    expect(metrics.counts).toMatchObject({ [ProxyMetric.CacheMiss]: 1, [ProxyMetric.CacheHit]: 1 });
    expect(metrics.latenciesMs).toHaveLength(1);
  });

  it('never answers with another version: a rollout and a rollback change the key', async () => {
    const { proxy, records, service } = setup();
    await proxy.predict(request());
    records.prod = serving('prod', '1.1.0', 'http://127.0.0.1:9002');
    const afterRollout = await proxy.predict(request());
    expect(afterRollout.cache).toBe(CacheStatus.Miss);
    expect(JSON.parse(afterRollout.body)).toMatchObject({ url: 'http://127.0.0.1:9002/predict' });
    records.prod = serving('prod', '1.0.0', 'http://127.0.0.1:9001');
    // Back on 1.0.0: its own answer, cached while 1.0.0 served, is right again.
    const afterRollback = await proxy.predict(request());
    expect(afterRollback.cache).toBe(CacheStatus.Hit);
    expect(JSON.parse(afterRollback.body)).toMatchObject({ url: 'http://127.0.0.1:9001/predict' });
    expect(service.state.calls).toBe(2);
  });

  it('with no-cache, forwards without reading or writing the cache', async () => {
    const { proxy, service, metrics } = setup();
    const bypass = await proxy.predict(request({ noCache: true }));
    expect(bypass.cache).toBe(CacheStatus.Bypass);
    expect((await proxy.predict(request())).cache).toBe(CacheStatus.Miss);
    expect((await proxy.predict(request({ noCache: true }))).cache).toBe(CacheStatus.Bypass);
    expect(service.state.calls).toBe(3);
    expect(metrics.get(ProxyMetric.CacheBypass)).toBe(2);
  });

  it('coalesces 20 concurrent identical misses into one upstream call', async () => {
    const { proxy, service, metrics } = setup();
    let release!: () => void;
    service.state.release = new Promise<void>((r) => (release = r));
    const all = Promise.all(Array.from({ length: 20 }, () => proxy.predict(request())));
    setTimeout(release, 10);
    const answers = await all;
    expect(service.state.calls).toBe(1);
    expect(new Set(answers.map((a) => a.body)).size).toBe(1);
    expect(metrics.get(ProxyMetric.Coalesced)).toBe(19);
  });

  it('does not cache error answers', async () => {
    const { proxy, service } = setup();
    service.state.status = 500;
    await expect(proxy.predict(request())).rejects.toBeInstanceOf(UpstreamError);
    service.state.status = 200;
    expect((await proxy.predict(request())).cache).toBe(CacheStatus.Miss);
    expect(service.state.calls).toBe(2);
  });

  it('answers 404 for an unknown environment without calling upstream', async () => {
    const { proxy, service } = setup();
    await expect(proxy.predict(request({ environment: 'nowhere', path: '/v1/nowhere/predict' }))).rejects.toBeInstanceOf(
      UnknownEnvironmentError,
    );
    expect(service.state.calls).toBe(0);
  });

  it('answers when the cache fails, counting each failure', async () => {
    const down: CacheStore = {
      get: () => Promise.reject(new Error('down')),
      set: () => Promise.reject(new Error('down')),
      setIfAbsent: () => Promise.reject(new Error('down')),
      del: () => Promise.reject(new Error('down')),
      increment: () => Promise.reject(new Error('down')),
    };
    const { proxy, service, metrics } = setup({ store: down });
    const answer = await proxy.predict(request());
    expect(answer.status).toBe(200);
    expect(service.state.calls).toBe(1);
    // get, lock, set, the stale copy's set (stale-if-error is on by default), unlock
    expect(metrics.get(ProxyMetric.CacheFailOpen)).toBe(5);
  });

  it('throttles a key past its per-minute limit, even on hits', async () => {
    const { proxy, metrics } = setup({ env: { PROXY_RATE_LIMIT_PER_MINUTE: '2' } });
    await proxy.predict(request({ apiKeyId: 'k1' }));
    await proxy.predict(request({ apiKeyId: 'k1' }));
    await expect(proxy.predict(request({ apiKeyId: 'k1' }))).rejects.toBeInstanceOf(RateLimitedError);
    expect(metrics.get(ProxyMetric.RateLimited)).toBe(1);
  });
});
