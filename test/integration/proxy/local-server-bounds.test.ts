import { connect, type Socket } from 'node:net';
import { startLocalProxy, type LocalProxy } from '../../../cli/proxy-server.js';
import { LocalStateStore } from '../../../lib/state/local-store.js';
import { serving } from '../../unit/proxy/support.js';
import { startStubUpstream, tempHome, type StubUpstream } from './support.js';

/**
 * The local proxy's HTTP server is bounded before the handler runs: the key is checked before a
 * byte of the body is read, a body is refused as soon as it passes the limit, slow headers and
 * extra connections are cut.
 */
describe('ml-rollout proxy: bounds of its HTTP server', () => {
  let upstream: StubUpstream;
  let home: Awaited<ReturnType<typeof tempHome>>;
  let proxy: LocalProxy;
  let port: number;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    [upstream, home] = await Promise.all([startStubUpstream('1.0.0'), tempHome()]);
    await new LocalStateStore(home.home).putServing(serving('skin-dev', '1.0.0', upstream.url));
    proxy = await startLocalProxy({
      environment: 'skin-dev',
      port: 0,
      env: {
        ML_ROLLOUT_HOME: home.home,
        REDIS_URL: 'redis://127.0.0.1:1',
        ML_ROLLOUT_API_KEY: 'k1',
        PROXY_MAX_BODY_BYTES: '1000',
        POWERTOOLS_LOG_LEVEL: 'SILENT',
      },
      limits: { headersTimeoutMs: 300, requestTimeoutMs: 600, maxConnections: 3, checkEveryMs: 100 },
      log: () => undefined,
    });
    port = Number(new URL(proxy.url).port);
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await proxy.close();
    await Promise.all([upstream.close(), home.remove()]);
  });

  /** A raw connection: what it received once the server closed it (or after `waitMs`). */
  const raw = (write: (s: Socket) => void, waitMs = 3_000) =>
    new Promise<{ text: string; closed: boolean }>((resolve) => {
      const s = connect(port, '127.0.0.1');
      sockets.push(s);
      let text = '';
      s.on('data', (d) => (text += d.toString('utf8')));
      s.on('error', () => undefined);
      const t = setTimeout(() => resolve({ text, closed: false }), waitMs);
      s.on('close', () => {
        clearTimeout(t);
        resolve({ text, closed: true });
      });
      s.on('connect', () => write(s));
    });
  const head = (extra: string) => `POST /v1/skin-dev/predict HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n${extra}\r\n`;

  it('no key: 401 before any of a 300 MB body is sent, and the connection is closed', async () => {
    const r = await raw((s) => s.write(head('content-length: 300000000\r\n')));
    expect(r.text).toMatch(/^HTTP\/1\.1 401/);
    expect(r.closed).toBe(true);
  });

  it('a wrong key: 403 the same way', async () => {
    const r = await raw((s) => s.write(head('x-api-key: nope\r\ncontent-length: 300000000\r\n')));
    expect(r.text).toMatch(/^HTTP\/1\.1 403/);
    expect(r.closed).toBe(true);
  });

  it('a declared Content-Length past the limit: 413 before the body', async () => {
    const r = await raw((s) => s.write(head('x-api-key: k1\r\ncontent-length: 5000\r\n')));
    expect(r.text).toMatch(/^HTTP\/1\.1 413/);
    expect(r.closed).toBe(true);
  });

  it('a chunked body: 413 as soon as it passes the limit, while the client is still sending', async () => {
    const calls = upstream.calls;
    const r = await raw((s) => {
      s.write(head('x-api-key: k1\r\ntransfer-encoding: chunked\r\n'));
      const chunk = 'x'.repeat(600);
      s.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
      s.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
      // The last chunk is never sent: the answer cannot wait for the end of the body.
    });
    expect(r.text).toMatch(/^HTTP\/1\.1 413/);
    expect(r.closed).toBe(true);
    expect(upstream.calls).toBe(calls);
  });

  it('headers that never finish: the connection is cut after headersTimeout', async () => {
    const started = Date.now();
    const r = await raw((s) => s.write('POST /v1/skin-dev/predict HTTP/1.1\r\nhost: x\r\n'));
    expect(r.closed).toBe(true);
    expect(Date.now() - started).toBeLessThan(2_500);
  });

  it('past maxConnections, a connection is closed at once', async () => {
    const held = [0, 1, 2].map(() => raw(() => undefined, 1_000));
    await new Promise((r) => setTimeout(r, 100));
    const extra = await raw(() => undefined, 1_000);
    expect(extra.closed).toBe(true);
    await Promise.all(held);
  });

  it('with the key, a request under the limit is answered', async () => {
    const res = await fetch(`${proxy.url}/v1/skin-dev/predict`, {
      method: 'POST',
      headers: { 'x-api-key': 'k1', 'content-type': 'application/json' },
      body: '{"embedding":[1]}',
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ version: '1.0.0' });
  });
});
