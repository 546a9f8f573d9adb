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
import { staticKeys } from '../lib/proxy/auth.js';
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
 * same answers (see createLocalHandler for what it uses).
 */
export async function startLocalProxy(options: LocalProxyOptions): Promise<LocalProxy> {
  const local = await createLocalHandler(options);
  const { handler, config, metrics, logger } = local;

  const server = createServer((req, res) => {
    void serve(req, res).catch((err: unknown) => {
      logger.error('local proxy failed', err instanceof Error ? err : new Error(String(err)));
      if (!res.headersSent) send(res, errorResponse(err));
      else res.destroy();
    });
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://local');
    const match = ROUTE.exec(url.pathname);
    const body = await readBody(req, config.maxBodyBytes);
    if (!match) {
      send(res, {
        statusCode: 404,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ error: 'not_found', message: `the proxy answers ${PROXY_ROUTE} only` }),
      });
      return;
    }
    if (body === null) {
      send(res, errorResponse(new PayloadTooLargeError(config.maxBodyBytes)));
      return;
    }
    send(res, await handler(toEvent(req, url, decodeURIComponent(match[1] ?? ''), body), localContext()));
  }

  const port = options.port ?? PROXY_DEFAULTS.localPort;
  const host = options.host ?? PROXY_DEFAULTS.localHost;
  await new Promise<void>((ready, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
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

/** The body, or null once it passes `maxBytes` (the rest is read and dropped, never kept). */
async function readBody(req: IncomingMessage, maxBytes: number): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= maxBytes) chunks.push(chunk);
  }
  return size > maxBytes ? null : Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, result: { statusCode?: number; headers?: Record<string, unknown>; body?: string }): void {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(result.headers ?? {})) headers[k] = String(v);
  res.writeHead(result.statusCode ?? 200, headers);
  res.end(result.body ?? '');
}

/** An HTTP API payload 2.0 event, as API Gateway would build it for this request. */
function toEvent(req: IncomingMessage, url: URL, environment: string, body: string): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(',') : v;
  const now = new Date();
  return {
    version: '2.0',
    routeKey: PROXY_ROUTE,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
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
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: PROXY_ROUTE,
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
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
    awsRequestId: randomUUID(),
    logGroupName: 'local',
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 30_000,
    done: fail,
    fail,
    succeed: fail,
  };
}
