import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkHealth, describeResult } from '../../../lib/targets/http.js';

/** The health check over a real socket: any 2xx passes; a refusal or a timeout is a failed result, never a throw. */
let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/hang') return; // never answers
    res.writeHead(req.url === '/health' ? 204 : 503).end('body');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('checkHealth', () => {
  it('passes on any 2xx', async () => {
    const r = await checkHealth(url, '/health', 2000);
    expect(r).toMatchObject({ label: 'GET /health', status: 204, expectStatus: 200, ok: true });
    expect(r.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('fails on a 503, naming the status', async () => {
    const r = await checkHealth(url, '/broken', 2000);
    expect(r).toMatchObject({ status: 503, ok: false });
    expect(describeResult(r)).toBe('HTTP 503 from GET /broken');
  });

  it('a refused connection is a result with its code', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const r = await checkHealth(`http://127.0.0.1:${port}`, '/health', 2000);
    expect(r).toMatchObject({ status: null, ok: false, error: 'ECONNREFUSED' });
    expect(describeResult(r)).toBe('ECONNREFUSED on GET /health');
  });

  it('no answer within the timeout says so', async () => {
    const r = await checkHealth(url, '/hang', 200);
    expect(r).toMatchObject({ status: null, ok: false, error: 'no answer within 200 ms' });
  });
});
