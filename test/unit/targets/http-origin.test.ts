import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { manifestSchema } from '../../../lib/plan/schema.js';
import { targetSchema } from '../../../lib/plan/target-schema.js';
import { checkHealth, requestUrl, sendRequest } from '../../../lib/targets/http.js';

/**
 * Issue 14, case 4: a health or smoke path like `//127.0.0.2:9099/x` or `/\127.0.0.2:9099/x` sent
 * every gate request to another host. Paths are origin-relative only, in the manifest and again
 * where each request is built.
 */
const HOSTILE = ['//127.0.0.2:9099/x', '/\\127.0.0.2:9099/x', '/\\/127.0.0.2/x', 'http://127.0.0.2/x', '/a b', '/x\u0000', '///x'];

let service: Server;
let stranger: Server;
let serviceHits = 0;
let strangerHits = 0;
const listen = (srv: Server, host: string) => new Promise<number>((r) => srv.listen(0, host, () => r((srv.address() as AddressInfo).port)));
let serviceUrl: string;
let strangerPort: number;

beforeAll(async () => {
  service = createServer((_q, s) => void (serviceHits++, s.end('ok')));
  stranger = createServer((_q, s) => void (strangerHits++, s.end('ok')));
  serviceUrl = `http://127.0.0.1:${await listen(service, '127.0.0.1')}`;
  // 127.0.0.2 is loopback too on Linux: a host other than the service's.
  strangerPort = await listen(stranger, '127.0.0.2');
});
afterAll(async () => {
  await new Promise((r) => service.close(r));
  await new Promise((r) => stranger.close(r));
});

describe('gate paths', () => {
  it.each(HOSTILE)('the manifest refuses %j as a health or smoke path', (path) => {
    const base = { name: 'app', version: '1.0.0', target: { type: 'local', environment: 'env' } };
    const health = manifestSchema.safeParse({ ...base, health: { path } });
    const smoke = manifestSchema.safeParse({ ...base, smoke: [{ path }] });
    expect([health.success, smoke.success]).toEqual([false, false]);
    expect(health.error?.issues[0]?.message).toBe('a path on the service: one leading /, no // or backslash at its start, no spaces');
  });

  it.each(['/health', '/v1/predict?x=1', '/a//b', '/%2F%2Fhost'])('%j is a path on the service', (path) => {
    expect(requestUrl(serviceUrl, path)?.origin).toBe(serviceUrl);
  });

  it('a request built with a path that leaves the origin is never sent: neither health nor smoke reaches another host', async () => {
    for (const path of HOSTILE.map((p) => p.replace('9099', String(strangerPort)))) {
      expect(requestUrl(serviceUrl, path)).toBeNull();
      const health = await checkHealth(serviceUrl, path, 1_000);
      const smoke = await sendRequest(serviceUrl, { method: 'GET', path, expectStatus: 200 }, 1_000);
      expect([health.ok, health.error, smoke.ok, smoke.error]).toEqual([
        false,
        'not a path on the service',
        false,
        'not a path on the service',
      ]);
    }
    expect(strangerHits).toBe(0);
    // And a good path still reaches the service.
    expect((await checkHealth(serviceUrl, '/health', 1_000)).ok).toBe(true);
    expect(serviceHits).toBe(1);
  });
});

describe('target URLs on AWS (ECS target.url)', () => {
  const ecs = {
    type: 'ecs',
    environment: 'yolo-prod',
    region: 'us-east-1',
    cluster: 'c',
    service: 's',
    containerName: 'api',
    image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/api:prod',
  };
  it.each(['http://lb.example.com/yoloapi', 'https://lb.example.com:8443'])('%s is a base URL', (url) => {
    expect(targetSchema.safeParse({ ...ecs, url }).success).toBe(true);
  });
  it.each([
    'http://user:pw@lb.example.com/',
    'http://lb.example.com/?to=x',
    'http://lb.example.com/#x',
    'http://lb.example.com//127.0.0.2/',
  ])('%s is refused', (url) => {
    const r = targetSchema.safeParse({ ...ecs, url });
    expect(r.error?.issues[0]?.message).toMatch(/^a base URL: scheme, host, port and a path prefix only/);
  });
});
