import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Runtime } from '../../lib/runtime.js';
import { describeError } from '../../lib/errors.js';
import { DashboardAction, runAction, type ActionResult } from './actions.js';
import { overview, panel } from './data.js';
import { dashboardPage } from './page.js';

export interface Dashboard {
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface DashboardOptions {
  /** 0: a free one */
  port: number;
  /** How the CLI is run, for the hints the page shows. */
  bin: string;
  /** Runs approve/abort (tests may watch it); default: the CLI as a child process. */
  run?: (action: DashboardAction, environment: string, reason?: string) => Promise<ActionResult>;
}

const ENV_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
const MAX_BODY = 4096;

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(body);
}
const json = (res: ServerResponse, status: number, value: unknown) =>
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(value));

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.on('data', (d) => {
      body += String(d);
      if (body.length > MAX_BODY) reject(new Error('body too large'));
    });
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

/**
 * A POST must come from the dashboard's own page: JSON (a cross-site form cannot send it without
 * a preflight) with this server as its Host and, where the browser sends one, its Origin.
 */
function sameOrigin(req: IncomingMessage, port: number): boolean {
  const hosts = [`127.0.0.1:${port}`, `localhost:${port}`];
  if (!hosts.includes(req.headers.host ?? '')) return false;
  const origin = req.headers.origin;
  if (origin && !hosts.map((x) => `http://${x}`).includes(origin)) return false;
  return (req.headers['content-type'] ?? '').startsWith('application/json');
}

/** `ml-rollout dashboard`: the page and its JSON endpoints, on 127.0.0.1 only. */
export async function startDashboard(rt: Runtime, opts: DashboardOptions): Promise<Dashboard> {
  const run = opts.run ?? ((a, e, r) => runAction(rt.home, a, e, r));
  let port = opts.port;
  const server = createServer((req, res) => {
    void handle(req, res).catch((err) => json(res, 500, { error: describeError(err) }));
  });
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const parts = url.pathname.split('/').filter(Boolean);
    if (req.method === 'GET' && url.pathname === '/') return send(res, 200, 'text/html; charset=utf-8', dashboardPage(opts.bin));
    if (req.method === 'GET' && url.pathname === '/api/environments') return json(res, 200, await overview(rt, opts.bin));
    if (parts[0] === 'api' && parts[1] === 'environments' && parts[2]) {
      const env = decodeURIComponent(parts[2]);
      if (!ENV_NAME.test(env)) return json(res, 400, { error: `not an environment name: ${env}` });
      if (req.method === 'GET' && parts.length === 3) return json(res, 200, await panel(rt, env, opts.bin));
      const action = parts[3];
      if (req.method === 'POST' && parts.length === 4 && (action === DashboardAction.Approve || action === DashboardAction.Abort)) {
        if (!sameOrigin(req, port)) return json(res, 403, { error: 'only the dashboard page may do this' });
        const body = await readBody(req);
        let reason: string | undefined;
        try {
          const parsed = body ? (JSON.parse(body) as { reason?: unknown }) : {};
          reason = typeof parsed.reason === 'string' ? parsed.reason.slice(0, 200) : undefined;
        } catch {
          return json(res, 400, { error: 'the body is not JSON' });
        }
        const r = await run(action, env, reason);
        return json(res, r.code === 0 ? 200 : 409, r);
      }
    }
    return json(res, 404, { error: `no ${req.method} ${url.pathname}` });
  };
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
