/**
 * `npm run bench:proxy`: what the caching proxy costs, in one process and one run.
 *   (a) a raw ioredis GET of a cached answer
 *   (b) the proxy handler invoked with an HTTP API event that hits the cache
 *   (c) the handler on a miss (Cache-Control: no-cache) against the local example service
 *   (d) the same HTTP request to the example service, made directly
 *   (e) a cache hit through the local HTTP server (`ml-rollout proxy`), over HTTP
 *   (f) the example service's GET /health, called directly over HTTP (the same client as e)
 * Prints p50/p99 latency and throughput of each, and the ratios b/a, c/d and e/f (targets:
 * b/a ≤ 1.5, c/d ≤ 1.1 and e/f ≤ 1.2 at p50). Everything runs on 127.0.0.1; Redis at REDIS_URL (default
 * redis://127.0.0.1:6379) must be running.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { Redis } from 'ioredis';
import { request as httpRequest, Agent } from 'node:http';
import { createLocalHandler, localContext, startLocalProxy } from '../cli/proxy-server.js';
import { LocalStateStore } from '../lib/state/local-store.js';

const ENVIRONMENT = 'bench';
const API_KEY = 'bench-key';
/** Samples of each operation (latency one at a time, then throughput). */
const SEQUENTIAL = { hit: 5_000, miss: 2_000 } as const;
const WARMUP = 300;
const CONCURRENCY = 16;
const BODY = JSON.stringify({ embedding: Array.from({ length: 64 }, (_, i) => Math.round(Math.sin(i) * 1000) / 1000) });

interface Figures {
  label: string;
  p50: number;
  p99: number;
  /** operations per second with CONCURRENCY in flight */
  throughput: number;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

type Op = () => Promise<void>;

async function timed(op: Op): Promise<number> {
  const t0 = process.hrtime.bigint();
  await op();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/** Requests per second with CONCURRENCY in flight, `n` in all. */
async function throughput(n: number, op: Op): Promise<number> {
  let next = 0;
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < n) {
        next++;
        await op();
      }
    }),
  );
  return n / (Number(process.hrtime.bigint() - t0) / 1e9);
}

/**
 * Latency of two operations one at a time, alternating (x, y, x, y...) so that whatever else the
 * machine does weighs on both alike; then the throughput of each. Bounded by `n`.
 */
async function measurePair(n: number, x: [string, Op], y: [string, Op]): Promise<[Figures, Figures]> {
  for (let i = 0; i < WARMUP; i++) {
    await x[1]();
    await y[1]();
  }
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < n; i++) {
    xs.push(await timed(x[1]));
    ys.push(await timed(y[1]));
  }
  const figures = async ([label, op]: [string, Op], samples: number[]): Promise<Figures> => {
    samples.sort((p, q) => p - q);
    return { label, p50: percentile(samples, 50), p99: percentile(samples, 99), throughput: await throughput(n, op) };
  };
  return [await figures(x, xs), await figures(y, ys)];
}

async function freePort(): Promise<number> {
  const srv = createServer().listen(0, '127.0.0.1');
  await new Promise((r) => srv.once('listening', r));
  const { port } = srv.address() as AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}

/** The example service of the demo, started as the local target would start it. */
async function startExample(port: number): Promise<{ url: string; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [resolve('examples/skin-similarity/server.js')], {
    env: { ...process.env, PORT: String(port), ML_AVAILABLE: 'true' },
    stdio: 'ignore',
  });
  const exited = new Promise((r) => child.once('exit', r));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
  };
  for (let i = 0; i < 100; i++) {
    try {
      const res = await fetch(`${url}/health`);
      await res.arrayBuffer();
      if (res.ok) return { url, stop };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  await stop();
  throw new Error('the example service did not start within 5 s');
}

function event(noCache: boolean): APIGatewayProxyEventV2 {
  const path = `/v1/${ENVIRONMENT}/predict`;
  return {
    version: '2.0',
    routeKey: 'POST /v1/{environment}/predict',
    rawPath: path,
    rawQueryString: '',
    headers: { 'content-type': 'application/json', 'x-api-key': API_KEY, ...(noCache ? { 'cache-control': 'no-cache' } : {}) },
    pathParameters: { environment: ENVIRONMENT },
    body: BODY,
    isBase64Encoded: false,
    requestContext: {
      accountId: 'bench',
      apiId: 'bench',
      domainName: '127.0.0.1',
      domainPrefix: 'bench',
      http: { method: 'POST', path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bench' },
      requestId: 'bench',
      routeKey: 'POST /v1/{environment}/predict',
      stage: '$default',
      time: new Date().toISOString(),
      timeEpoch: Date.now(),
    },
  };
}

/** One HTTP request over a keep-alive agent; resolves with the status and the x-cache header. */
function httpCall(
  agent: Agent,
  url: URL,
  method: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; cache: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { agent, method, headers }, (res) => {
      res.resume();
      res.once('end', () => resolve({ status: res.statusCode ?? 0, cache: String(res.headers['x-cache']) }));
      res.once('error', reject);
    });
    req.once('error', reject);
    req.end(body);
  });
}

/** Answers that were not what the row measures (a hit that failed open becomes a miss): reported, not hidden. */
const off: Record<string, number> = {};

function check(res: APIGatewayProxyStructuredResultV2, cache: string): void {
  if (res.statusCode !== 200) throw new Error(`expected 200, got ${res.statusCode}: ${res.body}`);
  const got = String(res.headers?.['x-cache']);
  if (got !== cache) off[`${got} instead of ${cache}`] = (off[`${got} instead of ${cache}`] ?? 0) + 1;
}

const ms = (v: number) => v.toFixed(3).padStart(8);

/** 1-minute load average: other work on the machine moves every figure. */
const load = () => (loadavg()[0] ?? 0).toFixed(2);

async function main(): Promise<void> {
  const loadAtStart = load();
  const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
  const prefix = `mlr:bench:${randomUUID()}:`;
  const home = await mkdtemp(join(tmpdir(), 'ml-rollout-bench-'));
  const example = await startExample(await freePort());
  const raw = new Redis(redisUrl);
  const lines: string[] = [];
  const local = await createLocalHandler({
    environment: ENVIRONMENT,
    env: {
      ...process.env,
      ML_ROLLOUT_HOME: home,
      REDIS_URL: redisUrl,
      ML_ROLLOUT_API_KEY: API_KEY,
      PROXY_KEY_PREFIX: prefix,
      POWERTOOLS_LOG_LEVEL: 'ERROR',
    },
    log: (l) => lines.push(l),
  });
  try {
    if (!lines.some((l) => l.startsWith('cache: Redis'))) throw new Error(`no Redis at ${redisUrl}: ${lines.join('; ')}`);
    await new LocalStateStore(home).putServing({
      environment: ENVIRONMENT,
      targetType: 'local',
      version: 'bench-1',
      digest: 'bench',
      url: example.url,
      phase: null,
      updatedAt: new Date().toISOString(),
    });
    const { handler } = local;
    const ctx = localContext();
    const hitEvent = event(false);
    const missEvent = event(true);
    check((await handler(hitEvent, ctx)) as APIGatewayProxyStructuredResultV2, 'miss');
    const [key] = await raw.keys(`${prefix}answer:*`);
    if (!key) throw new Error('the first request did not fill the cache');

    const [a, b] = await measurePair(
      SEQUENTIAL.hit,
      [
        '(a) ioredis GET, cached value',
        async () => {
          if ((await raw.get(key)) === null) throw new Error('cached value gone');
        },
      ],
      ['(b) handler, cache hit', async () => check((await handler(hitEvent, ctx)) as APIGatewayProxyStructuredResultV2, 'hit')],
    );
    const [c, d] = await measurePair(
      SEQUENTIAL.miss,
      [
        '(c) handler, miss (no-cache) → service',
        async () => check((await handler(missEvent, ctx)) as APIGatewayProxyStructuredResultV2, 'bypass'),
      ],
      [
        '(d) direct HTTP request → service',
        async () => {
          const res = await fetch(`${example.url}/predict`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', accept: 'application/json' },
            body: BODY,
          });
          await res.text();
          if (res.status !== 200) throw new Error(`service answered ${res.status}`);
        },
      ],
    );

    console.log(
      `inference proxy benchmark · Node ${process.version} · ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}) · load average at start ${loadAtStart}, at end ${load()}`,
    );
    console.log(`Redis ${redisUrl} · example service ${example.url} · body ${BODY.length} B · throughput with ${CONCURRENCY} in flight`);
    console.log('');
    console.log(`${'what'.padEnd(42)}${'p50 ms'.padStart(8)}${'p99 ms'.padStart(9)}${'req/s'.padStart(10)}`);
    for (const f of [a, b, c, d]) console.log(`${f.label.padEnd(42)}${ms(f.p50)} ${ms(f.p99)}${f.throughput.toFixed(0).padStart(10)}`);
    console.log('');
    const ba = b.p50 / a.p50;
    const cd = c.p50 / d.p50;
    console.log(`b/a at p50: ${ba.toFixed(2)} (target ≤ 1.5: ${ba <= 1.5 ? 'met' : 'NOT met'}) · at p99: ${(b.p99 / a.p99).toFixed(2)}`);
    console.log(`c/d at p50: ${cd.toFixed(2)} (target ≤ 1.1: ${cd <= 1.1 ? 'met' : 'NOT met'}) · at p99: ${(c.p99 / d.p99).toFixed(2)}`);
    // (e)/(f): the local HTTP server against the service's own HTTP server, one client for both.
    const server = await startLocalProxy({
      environment: ENVIRONMENT,
      port: 0,
      env: {
        ...process.env,
        ML_ROLLOUT_HOME: home,
        REDIS_URL: redisUrl,
        ML_ROLLOUT_API_KEY: API_KEY,
        PROXY_KEY_PREFIX: prefix,
        POWERTOOLS_LOG_LEVEL: 'ERROR',
      },
      log: () => undefined,
    });
    const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    try {
      const proxied = new URL(`${server.url}/v1/${ENVIRONMENT}/predict`);
      const headers = { 'content-type': 'application/json', 'x-api-key': API_KEY, 'content-length': String(Buffer.byteLength(BODY)) };
      const health = new URL(`${example.url}/health`);
      const [e, f] = await measurePair(
        SEQUENTIAL.hit,
        [
          '(e) local HTTP server, cache hit',
          async () => {
            const r = await httpCall(agent, proxied, 'POST', headers, BODY);
            if (r.status !== 200) throw new Error(`proxy answered ${r.status}`);
            if (r.cache !== 'hit') off[`${r.cache} instead of hit`] = (off[`${r.cache} instead of hit`] ?? 0) + 1;
          },
        ],
        [
          '(f) service GET /health, direct HTTP',
          async () => {
            const r = await httpCall(agent, health, 'GET', {});
            if (r.status !== 200) throw new Error(`service answered ${r.status}`);
          },
        ],
      );
      for (const x of [e, f]) console.log(`${x.label.padEnd(42)}${ms(x.p50)} ${ms(x.p99)}${x.throughput.toFixed(0).padStart(10)}`);
      const ef = e.p50 / f.p50;
      console.log(`e/f at p50: ${ef.toFixed(2)} (target ≤ 1.2: ${ef <= 1.2 ? 'met' : 'NOT met'}) · at p99: ${(e.p99 / f.p99).toFixed(2)}`);
    } finally {
      agent.destroy();
      await server.close();
    }
    const m = local.metrics;
    console.log(
      `proxy counters: hits ${m.get('CacheHit')}, misses ${m.get('CacheMiss')}, bypass ${m.get('CacheBypass')}, fail-open ${m.get('CacheFailOpen')} (Redis timeout ${local.config.redisTimeoutMs} ms)`,
    );
    const offs = Object.entries(off);
    if (offs.length > 0) console.log(`answers not of their row's kind: ${offs.map(([k, n]) => `${n} ${k}`).join(', ')}`);
  } finally {
    const keys = await raw.keys(`${prefix}*`);
    if (keys.length > 0) await raw.del(...keys);
    await Promise.all([raw.quit(), local.close(), example.stop()]);
    await rm(home, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
