import { createRequire } from 'node:module';
import { ORIGIN_RELATIVE_PATH } from '../plan/limits.js';
import type { SmokeRequest } from '../plan/schema.js';
import type { RequestRef, RequestResult } from '../gates/sample.js';
import { MAX_ANSWER_BYTES, parseAnswer } from '../gates/gate-requests.js';

export { ORIGIN_RELATIVE_PATH };

/**
 * `path` against the service's own origin; null when the path would leave it (the manifest schema
 * holds paths to ORIGIN_RELATIVE_PATH; requests hold to it again, whatever built them).
 */
export function requestUrl(baseUrl: string, path: string): URL | null {
  if (!ORIGIN_RELATIVE_PATH.test(path)) return null;
  const base = new URL(baseUrl);
  const url = new URL(path, base);
  return url.origin === base.origin ? url : null;
}

/**
 * Sends one HTTP request and measures it. Never throws: a refused connection or a timeout is a
 * result with status null, so that gates and probes can report it as a failed check.
 */
export async function sendRequest(
  baseUrl: string,
  request: Pick<SmokeRequest, 'method' | 'path' | 'body' | 'headers' | 'expectStatus'>,
  timeoutMs: number,
  /** Set when the gate reads the answer (expect, golden): the body is kept, parsed. */
  ref?: RequestRef,
): Promise<RequestResult> {
  const label = `${request.method} ${request.path}`;
  const started = performance.now();
  const hasBody = request.body !== undefined && request.method !== 'GET' && request.method !== 'HEAD';
  const url = requestUrl(baseUrl, request.path);
  if (!url) return { label, status: null, expectStatus: request.expectStatus, latencyMs: 0, ok: false, error: 'not a path on the service' };
  try {
    const res = await fetch(url, {
      method: request.method,
      headers: { ...(hasBody ? { 'content-type': 'application/json' } : {}), ...request.headers },
      body: hasBody ? JSON.stringify(request.body) : undefined,
      signal: AbortSignal.timeout(timeoutMs),
    });
    // Read the body so the latency covers the whole answer, as a client sees it.
    const raw = await res.arrayBuffer();
    const latencyMs = round(performance.now() - started);
    const kept = ref
      ? { ref, answer: parseAnswer(new TextDecoder().decode(new Uint8Array(raw, 0, Math.min(raw.byteLength, MAX_ANSWER_BYTES)))) }
      : {};
    return { label, status: res.status, expectStatus: request.expectStatus, latencyMs, ok: res.status === request.expectStatus, ...kept };
  } catch (err) {
    const latencyMs = round(performance.now() - started);
    const e = err as Error & { cause?: { code?: string } };
    const error = e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (e.cause?.code ?? e.message);
    return { label, status: null, expectStatus: request.expectStatus, latencyMs, ok: false, error, ...(ref ? { ref } : {}) };
  }
}

/**
 * The health check: GET the health path, any 2xx passes. Never throws, like sendRequest. It goes
 * through node:http rather than fetch: a status check is one GET, and fetch's first call loads
 * undici, about 30 ms of CPU in a CLI that otherwise starts in about 50.
 */
export function checkHealth(baseUrl: string, path: string, timeoutMs: number): Promise<RequestResult> {
  const { get: httpGet } = http();
  const label = `GET ${path}`;
  const started = performance.now();
  const result = (status: number | null, error?: string): RequestResult => ({
    label,
    status,
    expectStatus: 200,
    latencyMs: round(performance.now() - started),
    ok: status !== null && status >= 200 && status < 300,
    ...(error !== undefined ? { error } : {}),
  });
  const failure = (e: NodeJS.ErrnoException) =>
    result(null, e.name === 'AbortError' ? `no answer within ${timeoutMs} ms` : (e.code ?? e.message));
  const url = requestUrl(baseUrl, path);
  if (!url) return Promise.resolve(result(null, 'not a path on the service'));
  return new Promise((resolve) => {
    // No keep-alive: a probe every few seconds needs no pooled socket holding the process open.
    const req = httpGet(url, { agent: false, signal: AbortSignal.timeout(timeoutMs) }, (res) => {
      // Read the body so the latency covers the whole answer, as a client sees it.
      res.resume();
      res.once('end', () => resolve(result(res.statusCode ?? null)));
      res.once('error', (e) => resolve(failure(e)));
    });
    req.once('error', (e) => resolve(failure(e)));
  });
}

/** "HTTP 503 from /health" or "ECONNREFUSED on /health". */
export function describeResult(r: RequestResult): string {
  return r.status === null ? `${r.error ?? 'no answer'} on ${r.label}` : `HTTP ${r.status} from ${r.label}`;
}

/**
 * node:http through require, on first use: imported as an ES module its whole namespace is built
 * at once, and the WebSocket, CloseEvent and MessageEvent getters among it load undici anyway.
 */
function http(): typeof import('node:http') {
  return createRequire(import.meta.url)('node:http') as typeof import('node:http');
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
