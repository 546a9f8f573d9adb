import type { Route, RouteWindow } from './router-types.js';

/** Smooth weighted round-robin state (per route id: its current weight). */
export type WeightedState = Map<string, number>;

/**
 * The next route for a request: nginx's smooth weighted round-robin, so that over any run of
 * requests each version's share is as close to its weight as whole requests allow.
 */
export function pickBackend(routes: Route[], state: WeightedState): Route | null {
  let best: Route | null = null;
  let bestCurrent = Number.NEGATIVE_INFINITY;
  let total = 0;
  for (const r of routes) {
    if (r.weight <= 0) continue;
    total += r.weight;
    const current = (state.get(r.id) ?? 0) + r.weight;
    state.set(r.id, current);
    if (current > bestCurrent) {
      best = r;
      bestCurrent = current;
    }
  }
  if (best) state.set(best.id, bestCurrent - total);
  return best;
}

const MAX_ENTRIES = 20_000;

/** What the router saw of each route: time, latency, outcome, newest MAX_ENTRIES per route. */
export class RouteStats {
  private readonly entries = new Map<string, { at: number[]; ms: number[]; ok: boolean[]; refused: number[] }>();

  record(id: string, at: number, ms: number, ok: boolean, refused = false): void {
    let e = this.entries.get(id);
    if (!e) {
      e = { at: [], ms: [], ok: [], refused: [] };
      this.entries.set(id, e);
    }
    if (refused) {
      e.refused.push(at);
      if (e.refused.length > MAX_ENTRIES) e.refused.shift();
      return;
    }
    e.at.push(at);
    e.ms.push(ms);
    e.ok.push(ok);
    if (e.at.length > MAX_ENTRIES) {
      e.at.shift();
      e.ms.shift();
      e.ok.shift();
    }
  }

  /** Every route's window since `since` (epoch ms). */
  since(since: number): Record<string, RouteWindow> {
    const out: Record<string, RouteWindow> = {};
    for (const [id, e] of this.entries) {
      const w: RouteWindow = { requests: 0, errors: 0, refused: e.refused.filter((t) => t >= since).length, latencies: [] };
      for (let i = 0; i < e.at.length; i++) {
        if ((e.at[i] ?? 0) < since) continue;
        w.requests++;
        if (!e.ok[i]) w.errors++;
        else w.latencies.push(Math.round((e.ms[i] ?? 0) * 10) / 10);
      }
      out[id] = w;
    }
    return out;
  }
}
