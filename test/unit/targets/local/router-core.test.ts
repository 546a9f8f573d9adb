import { pickBackend, RouteStats, type WeightedState } from '../../../../lib/targets/local/router-core.js';
import type { Route } from '../../../../lib/targets/local/router-types.js';

const route = (id: string, weight: number): Route => ({ id, version: id, url: `http://127.0.0.1/${id}`, weight });

describe('router: weighted choice', () => {
  it.each([
    [10, 90],
    [25, 75],
    [50, 50],
    [1, 99],
  ])('a new version at %i %% gets exactly its share of every 100 requests', (w, rest) => {
    const state: WeightedState = new Map();
    const routes = [route('old', rest), route('new', w)];
    const picks = Array.from({ length: 200 }, () => pickBackend(routes, state)?.id);
    expect(picks.filter((p) => p === 'new')).toHaveLength(w * 2);
    // Spread out, not in one burst: every window of 100 requests holds the share.
    expect(picks.slice(37, 137).filter((p) => p === 'new')).toHaveLength(w);
  });
  it('never picks a route at 0 %, and nothing when no route has weight', () => {
    const state: WeightedState = new Map();
    expect(Array.from({ length: 20 }, () => pickBackend([route('a', 0), route('b', 100)], state)?.id)).toEqual(Array(20).fill('b'));
    expect(pickBackend([route('a', 0)], new Map())).toBeNull();
    expect(pickBackend([], new Map())).toBeNull();
  });
});

describe('router: per-version statistics', () => {
  it('counts requests, errors, refusals and latencies of answered requests since a time', () => {
    const s = new RouteStats();
    s.record('a', 1_000, 5, true);
    s.record('a', 2_000, 7, true);
    s.record('a', 2_500, 9, false);
    s.record('a', 2_600, 0, false, true);
    s.record('b', 3_000, 4, true);
    expect(s.since(1_500)).toEqual({
      a: { requests: 2, errors: 1, refused: 1, latencies: [7] },
      b: { requests: 1, errors: 0, refused: 0, latencies: [4] },
    });
  });
});
