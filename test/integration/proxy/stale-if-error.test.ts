import { Redis } from 'ioredis';
import { ProxyMetric } from '../../../lib/proxy/metrics.js';
import { LocalStateStore } from '../../../lib/state/local-store.js';
import { eventFixture, serving } from '../../unit/proxy/support.js';
import { instance, testPrefix, type Instance } from './harness.js';
import { deleteKeys, startStubUpstream, tempHome, type StubUpstream } from './support.js';

/**
 * Stale-if-error on a real Redis: past its TTL, an answer is still kept (PROXY_STALE_IF_ERROR_SECONDS)
 * and given, `x-cache: stale`, when the service fails, only for the version serving now.
 */
const REDIS_URL = 'redis://127.0.0.1:6379';
const ENV = 'skin-dev';
const withBody = (embedding: number[]) => eventFixture('predict', (e) => void (e.body = JSON.stringify({ embedding })));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('proxy stale-if-error on a real Redis', () => {
  const prefix = testPrefix();
  const instances: Instance[] = [];
  let admin: Redis;
  let v1: StubUpstream;
  let v2: StubUpstream;
  let home: Awaited<ReturnType<typeof tempHome>>;
  let state: LocalStateStore;
  const make = (env: NodeJS.ProcessEnv = {}) => {
    const i = instance(REDIS_URL, home.home, {
      PROXY_KEY_PREFIX: prefix,
      PROXY_REDIS_TIMEOUT_MS: '500',
      PROXY_CACHE_TTL_SECONDS: '1',
      ...env,
    });
    instances.push(i);
    return i;
  };
  const version = (r: { body?: string }) => (JSON.parse(r.body ?? '{}') as { version?: string }).version;

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
    await Promise.all([v2.close(), home.remove()]);
  });

  it('keeps a stale copy for PROXY_STALE_IF_ERROR_SECONDS beyond the TTL', async () => {
    const p = make({ PROXY_STALE_IF_ERROR_SECONDS: '60' });
    expect((await p.invoke(withBody([0.1]))).headers?.['x-cache']).toBe('miss');
    const stale = await admin.keys(`${prefix}answer:${ENV}:1.0.0:*:stale`);
    expect(stale).toHaveLength(1);
    expect(await admin.pttl(stale[0] as string)).toBeGreaterThan(60_000);
  });

  it('a service answering 5xx: the stale answer of the same version, x-cache: stale, counted', async () => {
    const p = make();
    const first = await p.invoke(withBody([0.2]));
    await sleep(1_100);
    v1.status = 500;
    const answer = await p.invoke(withBody([0.2]));
    expect(answer.statusCode).toBe(200);
    expect(answer.headers?.['x-cache']).toBe('stale');
    expect(answer.body).toBe(first.body);
    expect(p.metrics.get(ProxyMetric.CacheStale)).toBe(1);
  });

  it('a request never answered: 502 as before', async () => {
    const p = make();
    v1.status = 503;
    const answer = await p.invoke(withBody([0.3]));
    expect(answer.statusCode).toBe(502);
    expect(p.metrics.get(ProxyMetric.CacheStale)).toBe(0);
  });

  it("a rollout to another version: never the old version's answer", async () => {
    const p = make();
    expect(version(await p.invoke(withBody([0.4])))).toBe('1.0.0');
    await state.putServing(serving(ENV, '2.0.0', v2.url));
    v2.status = 500;
    const answer = await p.invoke(withBody([0.4]));
    expect(answer.statusCode).toBe(502);
    expect(answer.body).not.toContain('1.0.0');
  });

  it('PROXY_STALE_IF_ERROR_SECONDS=0: no stale copy, 502', async () => {
    const p = make({ PROXY_STALE_IF_ERROR_SECONDS: '0' });
    await p.invoke(withBody([0.5]));
    expect(await admin.keys(`${prefix}*:stale`)).toEqual([]);
    await sleep(1_100);
    v1.status = 500;
    expect((await p.invoke(withBody([0.5]))).statusCode).toBe(502);
  });

  // Last: it stops v1 for good.
  it('answered, its TTL passed, the upstream killed: 200 x-cache: stale', async () => {
    const p = make();
    const first = await p.invoke(withBody([0.6]));
    expect(first.headers?.['x-cache']).toBe('miss');
    await sleep(1_100);
    await v1.close();
    const answer = await p.invoke(withBody([0.6]));
    expect(answer.statusCode).toBe(200);
    expect(answer.headers?.['x-cache']).toBe('stale');
    expect(version(answer)).toBe('1.0.0');
    expect(answer.body).toBe(first.body);
    // Another request to the killed service has no stale answer.
    expect((await p.invoke(withBody([0.7]))).statusCode).toBe(502);
  });
});
