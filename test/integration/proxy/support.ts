import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

/** A real HTTP service standing in for the model: counts calls, answers with its label. */
export interface StubUpstream {
  url: string;
  calls: number;
  /** HTTP status of its answers */
  status: number;
  /** ms before answering */
  delayMs: number;
  close(): Promise<void>;
}

export async function startStubUpstream(label: string): Promise<StubUpstream> {
  const stub = { url: '', calls: 0, status: 200, delayMs: 0 } as StubUpstream;
  const timers = new Set<NodeJS.Timeout>();
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      stub.calls++;
      const answer = () => {
        res.writeHead(stub.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ version: label, path: req.url, received: JSON.parse(body || 'null') as unknown }));
      };
      if (stub.delayMs <= 0) return answer();
      const t = setTimeout(() => {
        timers.delete(t);
        if (!res.destroyed) answer();
      }, stub.delayMs);
      timers.add(t);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  stub.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  stub.close = async () => {
    for (const t of timers) clearTimeout(t);
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return stub;
}

/** A port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const srv = createNetServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

/** A redis-server of this test alone, without persistence; stop() kills it (idempotent). */
export interface OwnRedis {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export async function startOwnRedis(): Promise<OwnRedis> {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  const exited = once(child, 'exit');
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  };
  const url = `redis://127.0.0.1:${port}`;
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => undefined);
  try {
    // Bounded: 100 tries, 50 ms apart.
    for (let i = 0; ; i++) {
      try {
        await probe.connect();
        await probe.ping();
        break;
      } catch (err) {
        probe.disconnect();
        if (i >= 100) throw err;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  } catch (err) {
    await stop();
    throw err;
  } finally {
    probe.disconnect();
  }
  return { url, process: child, stop };
}

/** A fresh ML_ROLLOUT_HOME. */
export async function tempHome(): Promise<{ home: string; remove(): Promise<void> }> {
  const home = await mkdtemp(join(tmpdir(), 'ml-rollout-proxy-'));
  return { home, remove: () => rm(home, { recursive: true, force: true }) };
}

/** Deletes every key under `prefix` (the test's own namespace). */
export async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}
