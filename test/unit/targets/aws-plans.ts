import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolvePlan, type Plan } from '../../../lib/plan/plan.js';
import { manifestSchema } from '../../../lib/plan/schema.js';

/** A settable clock: tests move time instead of waiting. */
export function testClock(start = Date.parse('2025-06-01T12:00:00Z')) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms), set: (ms: number) => (t = ms) };
}

export function digestOf(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A plan as ValidateBundle resolves it from an uploaded bundle, default phases and all. */
export function awsPlan(target: Record<string, unknown>, extra: Record<string, unknown> = {}, version = '1.2.0'): Plan {
  const manifest = manifestSchema.parse({
    name: 'skin-similarity',
    version,
    target,
    smoke: [{ method: 'POST', path: '/predict', body: { embedding: [0.1, 0.2] }, expectStatus: 200 }],
    ...extra,
  });
  const digest = digestOf(`bundle ${version}`);
  return resolvePlan(manifest, {
    digest,
    release: { kind: 's3', bucket: 'skin-bundles', key: `ml-rollout/bundles/skin-similarity/${version}-${digest.slice(0, 12)}.zip` },
  });
}

/** A small HTTP service standing in for the environment's CNAME: /health and /predict. */
export async function fakeService(
  answer: { health?: number; predict?: number } = {},
): Promise<{ host: string; server: Server; answer: typeof answer }> {
  const state = { health: 200, predict: 200, ...answer };
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const status = req.url === '/health' ? state.health : req.url === '/predict' ? state.predict : 404;
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: status < 400 }));
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return { host: `127.0.0.1:${port}`, server, answer: state };
}

export async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((done) => server.close(() => done()));
}
