import { Redis } from 'ioredis';
import { ProxyMetric } from '../../../lib/proxy/metrics.js';
import { LocalStateStore } from '../../../lib/state/local-store.js';
import { eventFixture, serving } from '../../unit/proxy/support.js';
import { instance, testPrefix, type Instance } from './harness.js';
import { deleteKeys, startStubUpstream, tempHome, type StubUpstream } from './support.js';

const REDIS_URL = 'redis://127.0.0.1:6379';
const ENV = 'skin-dev';

describe('the proxy on a real Redis', () => {
  const prefix = testPrefix();
  const instances: Instance[] = [];
  let admin: Redis;
  let v1: StubUpstream;
  let v2: StubUpstream;
  let home: Awaited<ReturnType<typeof tempHome>>;
  let state: LocalStateStore;

  const make = (env: NodeJS.ProcessEnv = {}) => {
    const i = instance(REDIS_URL, home.home, { PROXY_KEY_PREFIX: prefix, PROXY_REDIS_TIMEOUT_MS: '500', ...env });
    instances.push(i);
    return i;
  };
  const body = (r: { body?: string }) => JSON.parse(r.body ?? '{}') as { version: string; error?: string };

  beforeAll(async () => {
    admin = new Redis(REDIS_URL);
    [v1, v2, home] = await Promise.all([startStubUpstream('1.0.0'), startStubUpstream('2.0.0'), tempHome()]);
    state = new LocalStateStore(home.home);
  });

  beforeEach(async () => {
    await deleteKeys(admin, prefix);
    await state.putServing(serving(ENV, '1.0.0', v1.url));
    for (const s of [v1, v2]) Object.assign(s, { calls: 0, status: 200, delayMs: 0 });
  });

  afterAll(async () => {
    await deleteKeys(admin, prefix);
    await Promise.all(instances.map((i) => i.redis.quit()));
    await admin.quit();
    await Promise.all([v1.close(), v2.close(), home.remove()]);
  });

  it('misses, stores the answer in Redis with its TTL, then hits', async () => {
    const p = make();
    const miss = await p.invoke();
    expect(miss.statusCode).toBe(200);
    expect(miss.headers?.['x-cache']).toBe('miss');
    const all = await admin.keys(`${prefix}answer:${ENV}:1.0.0:*`);
    // The answer, and its stale copy for stale-if-error (kept PROXY_STALE_IF_ERROR_SECONDS longer).
    const keys = all.filter((k) => !k.endsWith(':stale'));
    expect(keys).toHaveLength(1);
    expect(all.sort()).toEqual([keys[0], `${keys[0]}:stale`]);
    const ttl = await admin.pttl(keys[0] as string);
    expect(ttl).toBeGreaterThan(3_500_000);
    expect(ttl).toBeLessThanOrEqual(3_600_000);
    expect(await admin.pttl(`${keys[0]}:stale`)).toBeGreaterThan(3_600_000 + 86_000_000);
    const hit = await p.invoke();
    expect(hit.headers?.['x-cache']).toBe('hit');
    expect(hit.body).toBe(miss.body);
    expect(v1.calls).toBe(1);
  });

  it('a rollout and a rollback each switch the answers to the version now serving', async () => {
    const p = make();
    expect(body(await p.invoke()).version).toBe('1.0.0');
    await state.putServing(serving(ENV, '2.0.0', v2.url));
    const rolledOut = await p.invoke();
    expect(rolledOut.headers?.['x-cache']).toBe('miss');
    expect(body(rolledOut).version).toBe('2.0.0');
    expect(body(await p.invoke()).version).toBe('2.0.0');
    await state.putServing(serving(ENV, '1.0.0', v1.url));
    const rolledBack = await p.invoke();
    expect(body(rolledBack).version).toBe('1.0.0');
    expect(rolledBack.headers?.['x-cache']).toBe('hit');
    expect([v1.calls, v2.calls]).toEqual([1, 1]);
  });

  it('20 concurrent identical misses make 1 upstream call', async () => {
    const p = make();
    v1.delayMs = 100;
    const answers = await Promise.all(Array.from({ length: 20 }, () => p.invoke()));
    expect(answers.map((a) => a.statusCode)).toEqual(Array(20).fill(200));
    expect(new Set(answers.map((a) => a.body)).size).toBe(1);
    expect(v1.calls).toBe(1);
    // The other 19 waited for that call (or, on a very busy machine, found its answer cached).
    expect(p.metrics.get(ProxyMetric.Coalesced) + p.metrics.get(ProxyMetric.CacheHit)).toBe(19);
  });

  it('identical misses on two instances make 1 upstream call (the Redis lock)', async () => {
    const [a, b] = [make({ PROXY_LOCK_POLL_MS: '10' }), make({ PROXY_LOCK_POLL_MS: '10' })];
    v1.delayMs = 150;
    const answers = await Promise.all([...Array.from({ length: 5 }, () => a.invoke()), ...Array.from({ length: 5 }, () => b.invoke())]);
    expect(answers.map((r) => r.statusCode)).toEqual(Array(10).fill(200));
    expect(v1.calls).toBe(1);
    const waited = (i: Instance) => i.metrics.get(ProxyMetric.Coalesced) + i.metrics.get(ProxyMetric.CacheHit);
    expect(waited(a) + waited(b)).toBe(9);
    expect(await admin.keys(`${prefix}*:lock`)).toEqual([]);
  });

  it('an answer expires after its TTL', async () => {
    const p = make({ PROXY_CACHE_TTL_SECONDS: '1' });
    await p.invoke();
    expect((await p.invoke()).headers?.['x-cache']).toBe('hit');
    await new Promise((r) => setTimeout(r, 1_100));
    expect((await p.invoke()).headers?.['x-cache']).toBe('miss');
    expect(v1.calls).toBe(2);
  });

  it('Cache-Control: no-cache goes upstream without reading or writing the cache', async () => {
    const p = make();
    const bypass = await p.invoke(eventFixture('predict-no-cache'));
    expect(bypass.headers?.['x-cache']).toBe('bypass');
    expect(await admin.keys(`${prefix}answer:*`)).toEqual([]);
    await p.invoke();
    expect((await p.invoke(eventFixture('predict-no-cache'))).headers?.['x-cache']).toBe('bypass');
    expect(v1.calls).toBe(3);
    expect((await p.invoke()).headers?.['x-cache']).toBe('hit');
  });

  it('an upstream 5xx answers 502 and is not cached; a slow upstream answers 504', async () => {
    v1.status = 500;
    const failed = await make().invoke();
    expect(failed.statusCode).toBe(502);
    expect(body(failed).error).toBe('upstream_error');
    expect(await admin.keys(`${prefix}answer:*`)).toEqual([]);
    v1.status = 200;
    v1.delayMs = 1_000;
    const slow = await make({ PROXY_UPSTREAM_TIMEOUT_MS: '100' }).invoke();
    expect(slow.statusCode).toBe(504);
    expect(body(slow).error).toBe('upstream_timeout');
    expect(await admin.keys(`${prefix}answer:*`)).toEqual([]);
  });

  it.each([
    ['not-json', 400],
    ['no-body', 400],
    ['too-large', 413],
    ['unknown-environment', 404],
    ['bad-environment-name', 400],
    ['no-api-key', 401],
    ['wrong-api-key', 403],
    ['get-method', 405],
  ])('bad input %s answers %i, forwards nothing and caches nothing', async (fixture, status) => {
    const p = make({ PROXY_MAX_BODY_BYTES: '1024' });
    const res = await p.invoke(eventFixture(fixture));
    expect(res.statusCode).toBe(status);
    expect(JSON.parse(res.body ?? '{}')).toHaveProperty('message');
    expect(v1.calls).toBe(0);
    expect(await admin.keys(`${prefix}*`)).toEqual([]);
  });
});
