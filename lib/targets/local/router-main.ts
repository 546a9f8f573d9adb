/**
 * The local environment's router: its own detached process (`node router-main.js <env dir>`),
 * started by the local target and left running after the command that started it ends. It owns
 * the environment's public port (bound here, kept for the environment's life) and forwards each
 * request to a version process by weight; a control port (127.0.0.1, token in the request)
 * sets the routes and reads per-version statistics. Its log is router.log in the env dir.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { Agent, createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pickBackend, RouteStats, type WeightedState } from './router-core.js';
import { ROUTER_FILES, VERSION_HEADER, type Route, type RouterInfo, type RoutesFile } from './router-types.js';

const dir = process.argv[2] ?? '.';
const token = process.env.ML_ROLLOUT_ROUTER_TOKEN ?? randomUUID();
const preferredPort = Number(process.env.ML_ROLLOUT_ROUTER_PORT ?? 0);
const agent = new Agent({ keepAlive: true, maxSockets: 256 });
/** Largest request body the router buffers (it buffers so that a refused connection can be retried elsewhere). */
const MAX_BODY = 16 * 1024 * 1024;

let routes: Route[] = [];
const wrr: WeightedState = new Map();
const stats = new RouteStats();
const inFlight = new Map<string, number>();

function log(line: string): void {
  process.stdout.write(`${new Date().toISOString()} ${line}\n`);
}

function loadRoutes(): void {
  try {
    const file = JSON.parse(readFileSync(join(dir, ROUTER_FILES.routes), 'utf8')) as RoutesFile;
    routes = file.routes;
  } catch {
    routes = [];
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('request body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Sends the request to one backend; resolves false when the connection failed before any answer. */
function forward(route: Route, req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<boolean> {
  const started = performance.now();
  inFlight.set(route.id, (inFlight.get(route.id) ?? 0) + 1);
  const done = () => inFlight.set(route.id, Math.max(0, (inFlight.get(route.id) ?? 1) - 1));
  return new Promise((resolve) => {
    const url = new URL(route.url);
    const up = request(
      {
        host: url.hostname,
        port: url.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: url.host, 'content-length': String(body.length) },
        agent,
      },
      (answer) => {
        const headers = { ...answer.headers, [VERSION_HEADER]: route.version };
        res.writeHead(answer.statusCode ?? 502, headers);
        answer.pipe(res);
        answer.on('end', () => {
          done();
          stats.record(route.id, Date.now(), performance.now() - started, (answer.statusCode ?? 502) < 500);
          resolve(true);
        });
        answer.on('error', () => {
          done();
          stats.record(route.id, Date.now(), performance.now() - started, false);
          res.destroy();
          resolve(true);
        });
      },
    );
    up.on('error', () => {
      done();
      // Nothing was answered yet: the caller tries another version.
      if (!res.headersSent) resolve(false);
      else {
        res.destroy();
        resolve(true);
      }
    });
    up.end(body);
  });
}

async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
  let body: Buffer;
  try {
    body = await readBody(req);
  } catch {
    res.writeHead(413).end();
    return;
  }
  const tried = new Set<string>();
  let route = pickBackend(routes, wrr);
  while (route) {
    tried.add(route.id);
    if (await forward(route, req, body, res)) return;
    stats.record(route.id, Date.now(), 0, false, true);
    // Refused (a process that just died or is stopping): any other version with weight, else any other.
    route = routes.find((r) => !tried.has(r.id) && r.weight > 0) ?? routes.find((r) => !tried.has(r.id)) ?? null;
  }
  res.writeHead(503, { 'content-type': 'text/plain' }).end('no version of this environment is serving\n');
}

async function control(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const json = (status: number, value: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
  };
  if (req.headers.authorization !== `Bearer ${token}`) return json(401, { error: 'unauthorized' });
  const url = new URL(req.url ?? '/', 'http://control');
  if (url.pathname === '/reload' && req.method === 'POST') {
    const before = new Set(routes.filter((r) => r.weight > 0).map((r) => r.id));
    loadRoutes();
    wrr.clear();
    // Wait (a little) for requests in flight to versions that take no traffic any more, so that stopping them drops nothing.
    const drained = routes.filter((r) => r.weight === 0).map((r) => r.id);
    const gone = [...before].filter((id) => !routes.some((r) => r.id === id && r.weight > 0));
    const until = Date.now() + 5_000;
    while (Date.now() < until && [...gone, ...drained].some((id) => (inFlight.get(id) ?? 0) > 0)) {
      await new Promise((r) => setTimeout(r, 5));
    }
    log(`routes: ${routes.map((r) => `${r.version}@${r.url}=${r.weight}%`).join(', ') || '(none)'}`);
    return json(200, { routes });
  }
  if (url.pathname === '/stats' && req.method === 'GET') {
    const since = Number(url.searchParams.get('since') ?? 0);
    return json(200, { routes, stats: stats.since(since) });
  }
  if (url.pathname === '/stop' && req.method === 'POST') {
    json(200, { stopping: true });
    setTimeout(() => process.exit(0), 20);
    return;
  }
  return json(404, { error: 'not found' });
}

function listen(server: ReturnType<typeof createServer>, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

async function main(): Promise<void> {
  loadRoutes();
  const publicServer = createServer((req, res) => {
    serve(req, res).catch(() => res.destroy());
  });
  publicServer.keepAliveTimeout = 5_000;
  let port: number;
  try {
    port = await listen(publicServer, preferredPort);
  } catch {
    // The environment's port is taken by something else: a new one (status prints it).
    port = await listen(publicServer, 0);
  }
  const controlServer = createServer((req, res) => {
    control(req, res).catch(() => res.destroy());
  });
  const controlPort = await listen(controlServer, 0);
  const info: RouterInfo = { pid: process.pid, port, url: `http://127.0.0.1:${port}`, controlPort, token };
  const file = join(dir, ROUTER_FILES.info);
  writeFileSync(`${file}.tmp`, `${JSON.stringify(info, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
  log(`listening on ${info.url} (control on ${controlPort})`);
}

process.on('SIGINT', () => undefined);
process.on('SIGHUP', () => undefined);
process.on('SIGTERM', () => process.exit(0));
process.stdout.on('error', () => undefined);
main().catch((err) => {
  log(`router failed: ${String(err)}`);
  process.exit(1);
});
