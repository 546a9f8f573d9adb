import type { SmokeRequest } from '../plan/schema.js';
import type { RequestResult } from '../gates/sample.js';

/**
 * Sends one HTTP request and measures it. Never throws: a refused connection or a timeout is a
 * result with status null, so that gates and probes can report it as a failed check.
 */
export async function sendRequest(
  baseUrl: string,
  request: Pick<SmokeRequest, 'method' | 'path' | 'body' | 'headers' | 'expectStatus'>,
  timeoutMs: number,
): Promise<RequestResult> {
  const label = `${request.method} ${request.path}`;
  const started = performance.now();
  const hasBody = request.body !== undefined && request.method !== 'GET' && request.method !== 'HEAD';
  try {
    const res = await fetch(new URL(request.path, baseUrl), {
      method: request.method,
      headers: { ...(hasBody ? { 'content-type': 'application/json' } : {}), ...request.headers },
      body: hasBody ? JSON.stringify(request.body) : undefined,
      signal: AbortSignal.timeout(timeoutMs),
    });
    // Read the body so the latency covers the whole answer, as a client sees it.
    await res.arrayBuffer();
    const latencyMs = round(performance.now() - started);
    return { label, status: res.status, expectStatus: request.expectStatus, latencyMs, ok: res.status === request.expectStatus };
  } catch (err) {
    const latencyMs = round(performance.now() - started);
    const e = err as Error & { cause?: { code?: string } };
    const error = e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (e.cause?.code ?? e.message);
    return { label, status: null, expectStatus: request.expectStatus, latencyMs, ok: false, error };
  }
}

/** The health check: GET the health path, any 2xx passes. */
export async function checkHealth(baseUrl: string, path: string, timeoutMs: number): Promise<RequestResult> {
  const r = await sendRequest(baseUrl, { method: 'GET', path, expectStatus: 200 }, timeoutMs);
  return { ...r, expectStatus: 200, ok: r.status !== null && r.status >= 200 && r.status < 300 };
}

/** "HTTP 503 from /health" or "ECONNREFUSED on /health". */
export function describeResult(r: RequestResult): string {
  return r.status === null ? `${r.error ?? 'no answer'} on ${r.label}` : `HTTP ${r.status} from ${r.label}`;
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
