import { ProxyMetric } from '../../../lib/proxy/metrics.js';
import { LocalStateStore } from '../../../lib/state/local-store.js';
import { serving } from '../../unit/proxy/support.js';
import { instance, testPrefix, type Instance } from './harness.js';
import { startOwnRedis, startStubUpstream, tempHome, type OwnRedis, type StubUpstream } from './support.js';

describe('Redis stopped mid-run', () => {
  let redis: OwnRedis;
  let upstream: StubUpstream;
  let home: Awaited<ReturnType<typeof tempHome>>;
  let proxy: Instance;

  beforeAll(async () => {
    [redis, upstream, home] = await Promise.all([startOwnRedis(), startStubUpstream('1.0.0'), tempHome()]);
    await new LocalStateStore(home.home).putServing(serving('skin-dev', '1.0.0', upstream.url));
    proxy = instance(redis.url, home.home, { PROXY_KEY_PREFIX: testPrefix(), PROXY_REDIS_TIMEOUT_MS: '300' });
  });

  afterAll(async () => {
    await redis.stop();
    proxy.redis.disconnect();
    await Promise.all([upstream.close(), home.remove()]);
  });

  it('still answers, from upstream, counting each cache failure, and never with a 5xx', async () => {
    await proxy.invoke();
    expect((await proxy.invoke()).headers?.['x-cache']).toBe('hit');
    expect(proxy.metrics.get(ProxyMetric.CacheFailOpen)).toBe(0);

    await redis.stop();
    const during = [];
    for (let i = 0; i < 5; i++) during.push(await proxy.invoke());
    expect(during.map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 200]);
    expect(during.map((r) => r.headers?.['x-cache'])).toEqual(['miss', 'miss', 'miss', 'miss', 'miss']);
    expect(upstream.calls).toBe(6);
    expect(proxy.metrics.get(ProxyMetric.CacheFailOpen)).toBeGreaterThanOrEqual(5);
    expect(proxy.warnings.join('\n')).toContain('cache unavailable');
  });
});
