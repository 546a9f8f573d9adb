import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import type { LogLevel } from '@aws-lambda-powertools/logger/types';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type { Redis } from 'ioredis';
import { createInferenceProxyHandler, type InferenceProxyHandler } from '../functions/inference-proxy.js';
import { stateHome } from '../lib/plan/defaults.js';
import { staticKeys, type ApiKeyAuth } from '../lib/proxy/auth.js';
import { buildProxy } from '../lib/proxy/build.js';
import { proxyConfigFromEnv, type ProxyConfig } from '../lib/proxy/config.js';
import { PROXY_DEFAULTS, PROXY_ROUTE } from '../lib/proxy/defaults.js';
import { PayloadTooLargeError } from '../lib/proxy/errors.js';
import { MemoryStore } from '../lib/proxy/memory-store.js';
import { CountingMetrics } from '../lib/proxy/metrics.js';
import { debugSamplingFromEnv, errorResponse } from '../lib/proxy/middleware.js';
import { createRedisClient, RedisStore, redisAnswers } from '../lib/proxy/redis-store.js';
import { parseEnvironment } from '../lib/proxy/request.js';
import type { ServingLookup } from '../lib/proxy/serving.js';
import type { CacheStore } from '../lib/proxy/store.js';
import { LocalStateStore } from '../lib/state/local-store.js';

/** Options of the local proxy (`ml-rollout proxy --env NAME [--port N]`). */
export interface LocalProxyOptions {
  /** The environment it fronts; requests for any other answer 404. */
  environment: string;
  /** default 7070; 0 picks a free port */
  port?: number;
  /** default 127.0.0.1 */
  host?: string;
  /** REDIS_URL, ML_ROLLOUT_API_KEY, ML_ROLLOUT_HOME, PROXY_* (default process.env) */
  env?: NodeJS.ProcessEnv;
  /** Lines for the user: what it caches in, whether auth is on, warnings. */
  log?: (line: string) => void;
  /** The HTTP server's bounds (default PROXY_DEFAULTS.local*; tests shorten them). */
  limits?: Partial<ServerLimits>;
}

/** Bounds of the local proxy's HTTP server. */
export interface ServerLimits {
  /** ms for a request's headers to arrive */
  headersTimeoutMs: number;
  /** ms for a whole request (headers and body) to arrive */
  requestTimeoutMs: number;
  /** ms an idle keep-alive connection stays open */
  keepAliveTimeoutMs: number;
  /** connections open at once; more are closed at once */
  maxConnections: number;
  /** ms between the server's checks of the timeouts above */
  checkEveryMs: number;
}

export interface LocalProxy {
  /** Base URL, e.g. http://127.0.0.1:7070 */
  url: string;
  /** Counters of this run (hits, misses, coalesced, fail-open...). */
  metrics: CountingMetrics;
  close(): Promise<void>;
}

const ROUTE = /^\/v1\/([^/]+)\/predict$/;

/** The handler as `ml-rollout proxy` builds it, without the HTTP server (the benchmark calls it directly). */
export interface LocalHandler {
  handler: InferenceProxyHandler;
  /** The handler's key check, run by the local HTTP server before it reads a body. */
  auth: ApiKeyAuth;
  config: ProxyConfig;
  metrics: CountingMetrics;
  logger: Logger;
  close(): Promise<void>;
}

/**
 * The Lambda's handler with local dependencies: the state under $ML_ROLLOUT_HOME (only
 * `environment` is known), Redis at REDIS_URL (default redis://127.0.0.1:6379) or else an
 * in-process LRU, ML_ROLLOUT_API_KEY as the one key (unset: auth off). Says which in `log`.
 */
export async function createLocalHandler(options: Omit<LocalProxyOptions, 'port' | 'host'>): Promise<LocalHandler> {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => undefined);
  const environment = parseEnvironment(options.environment);
  const config = proxyConfigFromEnv(env);
  const state = new LocalStateStore(resolve(stateHome(env)));
  const serving: ServingLookup = {
    getServing: (name) => (name === environment ? state.getServing(name) : Promise.resolve(null)),
  };

  const redisUrl = config.redisUrl ?? PROXY_DEFAULTS.localRedisUrl;
  let redis: Redis | null = createRedisClient(redisUrl);
  let store: CacheStore;
  if (await redisAnswers(redis, PROXY_DEFAULTS.localRedisProbeMs)) {
    store = new RedisStore(redis);
    log(`cache: Redis at ${redisUrl}, answers kept ${config.cacheTtlSeconds} s`);
  } else {
    redis.disconnect();
    redis = null;
    store = new MemoryStore(config.lruMaxEntries);
    log(
      `cache: no Redis answered at ${redisUrl}; caching in this process instead (LRU, ${config.lruMaxEntries} answers, ${config.cacheTtlSeconds} s)`,
    );
  }

  const apiKey = env.ML_ROLLOUT_API_KEY;
  log(
    apiKey
      ? 'auth: requests need the x-api-key header (the key in ML_ROLLOUT_API_KEY)'
      : 'auth: OFF (ML_ROLLOUT_API_KEY is not set): anyone who can reach the port can call it',
  );

  const now = await state.getServing(environment);
  log(
    now
      ? `upstream: ${environment} serves version ${now.version} at ${now.url ?? now.endpointName ?? '(nowhere)'}`
      : `warning: nothing serves ${environment} yet; requests answer 404 until a rollout records it`,
  );

  const metrics = new CountingMetrics();
  const logger = new Logger({ serviceName: 'inference-proxy', logLevel: (env.POWERTOOLS_LOG_LEVEL ?? 'WARN') as LogLevel });
  const parts = buildProxy({
    config,
    serving,
    keys: apiKey ? staticKeys(apiKey) : null,
    store,
    metrics,
    logger: { warn: (message, attributes) => log(`warning: ${message} ${JSON.stringify(attributes)}`) },
  });
  return {
    handler: createInferenceProxyHandler({
      ...parts,
      maxBodyBytes: config.maxBodyBytes,
      logger,
      logDebugSampling: debugSamplingFromEnv(env),
    }),
    auth: parts.auth,
    config,
    metrics,
    logger,
    async close() {
      await redis?.quit().catch(() => redis?.disconnect());
    },
  };
}

/**
 * The Lambda's handler behind node:http, in front of a local environment: the same route, the
 * same answers (see createLocalHandler for what it uses). Bounded before the handler runs: the
 * route and the API key are checked before any of the body is read, a body is refused (413) as
 * soon as it passes the limit (by its Content-Length, or while it arrives), and headers, whole
 * requests, idle connections and the number of connections have limits (docs/proxy.md).
 */
export async function startLocalProxy(options: LocalProxyOptions): Promise<LocalProxy> {
  const local = await createLocalHandler(options);
  const { handler, config, metrics, logger, auth } = local;
  const maxBytes = config.maxBodyBytes;

  const limits: ServerLimits = {
    headersTimeoutMs: PROXY_DEFAULTS.localHeadersTimeoutMs,
    requestTimeoutMs: PROXY_DEFAULTS.localRequestTimeoutMs,
    keepAliveTimeoutMs: PROXY_DEFAULTS.localKeepAliveTimeoutMs,
    maxConnections: PROXY_DEFAULTS.localMaxConnections,
    checkEveryMs: PROXY_DEFAULTS.localTimeoutCheckMs,
    ...options.limits,
  };
  const server = createServer({ connectionsCheckingInterval: limits.checkEveryMs }, (req, res) => {
    const fail = (err: unknown) => {
      logger.error('local proxy failed', err instanceof Error ? err : new Error(String(err)));
      if (!res.headersSent) send(res, errorResponse(err));
      else res.destroy();
    };
    try {
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const pathname = q < 0 ? url : url.slice(0, q);
      const match = ROUTE.exec(pathname);
      if (!match) return refuse(req, res, NOT_FOUND);
      // The key before the body: an unauthenticated client cannot make the proxy read anything.
      const presented = req.headers['x-api-key'];
      const checked = auth.verify(typeof presented === 'string' ? presented : undefined);
      const go = () => {
        const declared = Number(req.headers['content-length']);
        if (declared > maxBytes) return refuse(req, res, errorResponse(new PayloadTooLargeError(maxBytes)));
        readBody(req, maxBytes, (body) => {
          if (body === null) return refuse(req, res, errorResponse(new PayloadTooLargeError(maxBytes)));
          handler(toEvent(req, pathname, url, q, decodeURIComponent(match[1] ?? ''), body), localContext()).then((r) => send(res, r), fail);
        });
      };
      if (checked instanceof Promise) checked.then(go, (err: unknown) => refuse(req, res, errorResponse(err)));
      else go();
    } catch (err) {
      // verify() throws the 401/403 errors when the keys are at hand.
      refuse(req, res, errorResponse(err));
    }
  });
  // Slow clients: headers within 10 s, the whole request within 30 s, idle keep-alive 5 s.
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.maxConnections = limits.maxConnections;

  const port = options.port ?? PROXY_DEFAULTS.localPort;
  const host = options.host ?? PROXY_DEFAULTS.localHost;
  await new Promise<void>((ready, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      ready();
    });
  });
  const address = server.address() as AddressInfo;

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`,
    metrics,
    async close() {
      await new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      });
      await local.close();
    },
  };
}

const NOT_FOUND: Result = {
  statusCode: 404,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ error: 'not_found', message: `the proxy answers ${PROXY_ROUTE} only` }),
};

type Result = { statusCode?: number; headers?: Record<string, unknown>; body?: string };

/** Answers without reading the body, then closes the connection: what the client still sends is never read. */
function refuse(req: IncomingMessage, res: ServerResponse, result: Result): void {
  res.shouldKeepAlive = false;
  send(res, result);
  res.once('finish', () => req.destroy());
}

/** The body, or null as soon as it passes `maxBytes` (reading stops there). */
function readBody(req: IncomingMessage, maxBytes: number, done: (body: string | null) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let over = false;
  req.on('data', (chunk: Buffer) => {
    if (over) return;
    size += chunk.length;
    if (size > maxBytes) {
      over = true;
      req.pause();
      done(null);
      return;
    }
    chunks.push(chunk);
  });
  req.once('end', () => {
    if (!over) done(chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks).toString('utf8'));
  });
}

function send(res: ServerResponse, result: Result): void {
  const headers: Record<string, string> = {};
  const given = result.headers;
  if (given) for (const k in given) headers[k] = String(given[k]);
  res.writeHead(result.statusCode ?? 200, headers);
  res.end(result.body ?? '');
}

/** Request ids of this process: unique enough for logs, and cheaper than a UUID per request. */
let requests = 0;
const run = randomUUID().slice(0, 8);

/** An HTTP API payload 2.0 event, as API Gateway would build it for this request. */
function toEvent(req: IncomingMessage, path: string, url: string, q: number, environment: string, body: string): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  const given = req.headers;
  for (const k in given) {
    const v = given[k];
    if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(',') : v;
  }
  const now = Date.now();
  return {
    version: '2.0',
    routeKey: PROXY_ROUTE,
    rawPath: path,
    rawQueryString: q < 0 ? '' : url.slice(q + 1),
    headers,
    pathParameters: { environment },
    body,
    isBase64Encoded: false,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: {
        method: req.method ?? 'GET',
        path,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: `${run}-${++requests}`,
      routeKey: PROXY_ROUTE,
      stage: '$default',
      time: new Date(now).toISOString(),
      timeEpoch: now,
    },
  };
}

/** A Lambda context for invocations outside Lambda. */
export function localContext(): Context {
  const fail = () => {
    throw new Error('not available locally');
  };
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'inference-proxy-local',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:local:000000000000:function:inference-proxy-local',
    memoryLimitInMB: '512',
    awsRequestId: `${run}-${requests}`,
    logGroupName: 'local',
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 30_000,
    done: fail,
    fail,
    succeed: fail,
  };
}
