import { summarize } from '../../gates/stats.js';
import type { VersionWindows } from '../../gates/sample.js';
import type { RouterClient } from './router-client.js';

/**
 * What the router saw of the new version and of the one it replaces since `since` (epoch ms):
 * user requests only (the gate's own go to the new process directly). Null when no router runs.
 */
export async function versionWindows(router: RouterClient, newId: string, since: number): Promise<VersionWindows | null> {
  const info = await router.info();
  if (!info) return null;
  const [routes, stats] = await Promise.all([router.routes(), router.stats(since)]);
  const oldRoutes = routes.filter((r) => r.id !== newId && r.weight > 0);
  const summary = (ids: string[]) => {
    const ws = ids.map((id) => stats[id]).filter((w) => !!w);
    const latencies = ws.flatMap((w) => w.latencies);
    return {
      requests: ws.reduce((s, w) => s + w.requests, 0),
      errors: ws.reduce((s, w) => s + w.errors, 0),
      p95LatencyMs: summarize(latencies).p95,
    };
  };
  const newRoute = routes.find((r) => r.id === newId);
  return {
    new: { version: newRoute?.version ?? null, weight: newRoute?.weight ?? 0, ...summary([newId]) },
    old: oldRoutes.length
      ? { version: oldRoutes[0]?.version ?? null, weight: 100 - (newRoute?.weight ?? 0), ...summary(oldRoutes.map((r) => r.id)) }
      : null,
  };
}
