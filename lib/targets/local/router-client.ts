import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { closeSync, openSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { TargetError } from '../../errors.js';
import { readJson, removeFile, writeJsonAtomic } from '../../state/files.js';
import { isRunning, stopProcess } from './process.js';
import { ROUTER_FILES, type Route, type RouterInfo, type RouteWindow } from './router-types.js';

/**
 * The router's script. From dist/ it sits beside this file; from the TypeScript sources (the
 * tests), the built copy in dist/ is used (`npm test` builds first).
 */
function routerScript(): string {
  const here = fileURLToPath(new URL('./router-main.js', import.meta.url));
  if (existsSync(here)) return here;
  return here.replace(/([/\\])lib([/\\]targets[/\\]local[/\\])/, '$1dist$1lib$2');
}

/** How long a new router may take to listen, ms. */
const START_MS = 10_000;

/** Talks to the router of one environment (its files live in `dir`). */
export class RouterClient {
  constructor(private readonly dir: string) {}

  async info(): Promise<RouterInfo | null> {
    const info = await readJson<RouterInfo>(join(this.dir, ROUTER_FILES.info)).catch(() => null);
    return info && (await isRunning(info.pid)) ? info : null;
  }

  /** The running router, started (detached, log to a file) when there is none; `preferredPort` keeps the URL. */
  async ensure(preferredPort?: number): Promise<RouterInfo> {
    const running = await this.info();
    if (running) return running;
    const infoFile = join(this.dir, ROUTER_FILES.info);
    await removeFile(infoFile);
    const logFile = join(this.dir, ROUTER_FILES.log);
    await mkdir(dirname(logFile), { recursive: true });
    const fd = openSync(logFile, 'a');
    let pid: number;
    try {
      const child = spawn(process.execPath, [routerScript(), this.dir], {
        cwd: this.dir,
        detached: true,
        stdio: ['ignore', fd, fd],
        env: { PATH: process.env.PATH ?? '', ML_ROLLOUT_ROUTER_PORT: String(preferredPort ?? 0) },
      });
      pid = await new Promise<number>((resolve, reject) => {
        child.once('error', reject);
        child.once('spawn', () => resolve(child.pid ?? -1));
      });
      child.unref();
    } finally {
      closeSync(fd);
    }
    const until = performance.now() + START_MS;
    while (performance.now() < until) {
      const info = await readJson<RouterInfo>(infoFile).catch(() => null);
      if (info && info.pid === pid) return info;
      if (!(await isRunning(pid))) break;
      await sleep(20);
    }
    await stopProcess(pid, 500);
    throw new TargetError(`the environment's router did not start; log: ${logFile}`);
  }

  /** Writes the routes and has the router apply them; resolves once requests in flight to retired versions are answered. */
  async setRoutes(routes: Route[]): Promise<void> {
    await writeJsonAtomic(join(this.dir, ROUTER_FILES.routes), { routes });
    const info = await this.info();
    if (info) await this.call(info, 'POST', '/reload');
  }

  async routes(): Promise<Route[]> {
    return (await readJson<{ routes: Route[] }>(join(this.dir, ROUTER_FILES.routes)))?.routes ?? [];
  }

  /** Per-route windows since `since` (epoch ms); empty when no router runs. */
  async stats(since: number): Promise<Record<string, RouteWindow>> {
    const info = await this.info();
    if (!info) return {};
    const body = (await this.call(info, 'GET', `/stats?since=${since}`)) as { stats: Record<string, RouteWindow> };
    return body.stats;
  }

  /** Stops the router and forgets its files. */
  async stop(): Promise<RouterInfo | null> {
    const info = await readJson<RouterInfo>(join(this.dir, ROUTER_FILES.info)).catch(() => null);
    if (info) await stopProcess(info.pid, 2_000);
    await removeFile(join(this.dir, ROUTER_FILES.info));
    await removeFile(join(this.dir, ROUTER_FILES.routes));
    return info;
  }

  private async call(info: RouterInfo, method: string, path: string): Promise<unknown> {
    const res = await fetch(`http://127.0.0.1:${info.controlPort}${path}`, {
      method,
      headers: { authorization: `Bearer ${info.token}` },
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) throw new TargetError(`the environment's router answered ${res.status} to ${method} ${path}`);
    return res.json();
  }
}
