import { UpstreamError, UpstreamTimeoutError } from '../../../lib/proxy/errors.js';
import { HttpUpstream } from '../../../lib/proxy/http-upstream.js';

type Fetch = typeof fetch;

function answering(status: number, body: string, contentType = 'application/json'): { fetch: Fetch; calls: [string, RequestInit][] } {
  const calls: [string, RequestInit][] = [];
  const fn = (async (url: string, init: RequestInit) => {
    calls.push([url, init]);
    return new Response(body, { status, headers: { 'content-type': contentType } });
  }) as unknown as Fetch;
  return { fetch: fn, calls };
}

describe('HttpUpstream', () => {
  it('POSTs the body as JSON to {base}/predict and returns the answer', async () => {
    const f = answering(200, '{"ok":true}');
    const up = new HttpUpstream('http://127.0.0.1:9000/', 1_000, f.fetch);
    await expect(up.predict('{"embedding":[1]}')).resolves.toEqual({ status: 200, contentType: 'application/json', body: '{"ok":true}' });
    expect(f.calls[0]?.[0]).toBe('http://127.0.0.1:9000/predict');
    expect(f.calls[0]?.[1].method).toBe('POST');
    expect(f.calls[0]?.[1].body).toBe('{"embedding":[1]}');
  });

  it("passes the service's 4xx through", async () => {
    const up = new HttpUpstream('http://127.0.0.1:9000', 1_000, answering(400, '{"error":"embedding"}').fetch);
    await expect(up.predict('{}')).resolves.toMatchObject({ status: 400, body: '{"error":"embedding"}' });
  });

  it('turns a 5xx into UpstreamError (502) naming the status', async () => {
    const up = new HttpUpstream('http://127.0.0.1:9000', 1_000, answering(503, 'busy', 'text/plain').fetch);
    const err = await up.predict('{}').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err).toMatchObject({ status: 502, upstreamStatus: 503 });
    expect((err as Error).message).toContain('HTTP 503');
  });

  it('turns a connection failure into UpstreamError', async () => {
    const refused = (async () => {
      throw new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:9') });
    }) as unknown as Fetch;
    const err = await new HttpUpstream('http://127.0.0.1:9', 1_000, refused).predict('{}').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err).toMatchObject({ upstreamStatus: null });
  });

  it('aborts a call that outlives the timeout: UpstreamTimeoutError (504)', async () => {
    // Answers only when aborted, as fetch does.
    const slow = ((_url: string, init: RequestInit) =>
      new Promise((_, reject) => {
        init.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
      })) as unknown as Fetch;
    const err = await new HttpUpstream('http://127.0.0.1:9000', 30, slow).predict('{}').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamTimeoutError);
    expect(err).toMatchObject({ status: 504, timeoutMs: 30 });
  });
});
