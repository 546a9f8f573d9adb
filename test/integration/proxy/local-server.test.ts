import { Redis } from 'ioredis';
import { startLocalProxy, type LocalProxy } from '../../../cli/proxy-server.js';
import { ProxyMetric } from '../../../lib/proxy/metrics.js';
import { LocalStateStore } from '../../../lib/state/local-store.js';
import { serving } from '../../unit/proxy/support.js';
import { testPrefix } from './harness.js';
import { deleteKeys, freePort, startStubUpstream, tempHome, type StubUpstream } from './support.js';

const post = (url: string, body: string, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });

describe('ml-rollout proxy (startLocalProxy)', () => {
  const prefix = testPrefix();
  let upstream: StubUpstream;
  let home: Awaited<ReturnType<typeof tempHome>>;
  const started: LocalProxy[] = [];

  const start = async (env: NodeJS.ProcessEnv) => {
    const lines: string[] = [];
    const proxy = await startLocalProxy({
      environment: 'skin-dev',
      port: 0,
      // A generous Redis timeout: a hit must not turn into a fail-open miss on a busy machine.
      env: { ML_ROLLOUT_HOME: home.home, PROXY_KEY_PREFIX: prefix, PROXY_REDIS_TIMEOUT_MS: '1000', POWERTOOLS_LOG_LEVEL: 'SILENT', ...env },
      log: (l) => lines.push(l),
    });
    started.push(proxy);
    return { proxy, lines, predict: `${proxy.url}/v1/skin-dev/predict` };
  };

  beforeAll(async () => {
    [upstream, home] = await Promise.all([startStubUpstream('1.0.0'), tempHome()]);
    await new LocalStateStore(home.home).putServing(serving('skin-dev', '1.0.0', upstream.url));
  });

  afterAll(async () => {
    await Promise.all(started.map((p) => p.close()));
    const admin = new Redis('redis://127.0.0.1:6379');
    await deleteKeys(admin, prefix);
    await admin.quit();
    await Promise.all([upstream.close(), home.remove()]);
  });

  it('serves the route in front of the local environment, with Redis and an API key', async () => {
    const { proxy, lines, predict } = await start({ REDIS_URL: 'redis://127.0.0.1:6379', ML_ROLLOUT_API_KEY: 'local-secret' });
    expect(lines.join('\n')).toContain('cache: Redis at redis://127.0.0.1:6379');
    expect(lines.join('\n')).toContain('auth: requests need the x-api-key header');
    expect(lines.join('\n')).toContain(`upstream: skin-dev serves version 1.0.0 at ${upstream.url}`);

    const calls = upstream.calls;
    const miss = await post(predict, '{"embedding":[1,2,3]}', { 'x-api-key': 'local-secret' });
    expect(miss.status).toBe(200);
    expect(miss.headers.get('x-cache')).toBe('miss');
    expect(await miss.json()).toMatchObject({ version: '1.0.0', path: '/predict', received: { embedding: [1, 2, 3] } });
    const hit = await post(predict, '{"embedding":[1,2,3]}', { 'x-api-key': 'local-secret' });
    expect(hit.headers.get('x-cache')).toBe('hit');
    await hit.arrayBuffer();
    expect(upstream.calls - calls).toBe(1);
    expect(proxy.metrics.get(ProxyMetric.CacheHit)).toBe(1);

    const denied = await post(predict, '{"embedding":[1]}');
    expect(denied.status).toBe(401);
    expect(await denied.json()).toMatchObject({ error: 'unauthorized' });
  });

  it('refuses bad input over HTTP: other environments, other routes, non-JSON and oversized bodies', async () => {
    const { proxy, predict } = await start({ REDIS_URL: 'redis://127.0.0.1:6379', PROXY_MAX_BODY_BYTES: '64' });
    const calls = upstream.calls;
    const other = await post(`${proxy.url}/v1/skin-prod/predict`, '{}');
    expect(other.status).toBe(404);
    expect(await other.json()).toMatchObject({ error: 'unknown_environment' });
    const route = await post(`${proxy.url}/predict`, '{}');
    expect(route.status).toBe(404);
    await route.arrayBuffer();
    const notJson = await post(predict, 'embedding=1');
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ error: 'invalid_json' });
    const big = await post(predict, JSON.stringify({ embedding: Array(100).fill(0.5) }));
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ error: 'payload_too_large' });
    const get = await fetch(predict);
    expect(get.status).toBe(405);
    await get.arrayBuffer();
    expect(upstream.calls).toBe(calls);
  });

  it('says so and caches in process when no Redis answers; says auth is off without a key', async () => {
    const dead = await freePort();
    const { lines, predict } = await start({ REDIS_URL: `redis://127.0.0.1:${dead}` });
    expect(lines.join('\n')).toContain(`cache: no Redis answered at redis://127.0.0.1:${dead}; caching in this process instead`);
    expect(lines.join('\n')).toContain('auth: OFF (ML_ROLLOUT_API_KEY is not set)');
    const body = '{"embedding":[9]}';
    const first = await post(predict, body);
    await first.arrayBuffer();
    const second = await post(predict, body);
    await second.arrayBuffer();
    expect([first.headers.get('x-cache'), second.headers.get('x-cache')]).toEqual(['miss', 'hit']);
  });

  it('warns at start when nothing serves the environment yet', async () => {
    const lines: string[] = [];
    const proxy = await startLocalProxy({
      environment: 'not-deployed',
      port: 0,
      env: { ML_ROLLOUT_HOME: home.home, REDIS_URL: 'redis://127.0.0.1:6379', PROXY_KEY_PREFIX: prefix },
      log: (l) => lines.push(l),
    });
    started.push(proxy);
    expect(lines.join('\n')).toContain('warning: nothing serves not-deployed yet');
    const res = await post(`${proxy.url}/v1/not-deployed/predict`, '{}');
    expect(res.status).toBe(404);
    await res.arrayBuffer();
  });
});
