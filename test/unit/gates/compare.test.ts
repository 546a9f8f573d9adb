import { compareChecks } from '../../../lib/gates/compare.js';
import type { VersionWindows } from '../../../lib/gates/sample.js';

const windows = (n: Partial<VersionWindows['new']>, o: Partial<VersionWindows['new']> | null): VersionWindows => ({
  new: { version: '2.0.0', weight: 10, requests: 100, errors: 0, p95LatencyMs: 20, ...n },
  old: o ? { version: '1.0.0', weight: 90, requests: 900, errors: 0, p95LatencyMs: 10, ...o } : null,
});

describe('compare: the new version against the one it replaces', () => {
  it('judges the p95 ratio and the error-rate delta once the window is complete', () => {
    const checks = compareChecks(windows({ errors: 3 }, { errors: 9 }), { p95LatencyRatio: 1.5, errorRateDeltaPercent: 1 }, true);
    expect(checks).toEqual([
      { name: 'p95LatencyRatio', value: 2, threshold: 1.5, passed: false, unit: '×' },
      { name: 'errorRateDeltaPercent', value: 2, threshold: 1, passed: false, unit: ' points' },
    ]);
  });
  it('passes at or under the thresholds (a new version better than the old one has a negative delta)', () => {
    const checks = compareChecks(windows({ p95LatencyMs: 15 }, { errors: 90 }), { p95LatencyRatio: 1.5, errorRateDeltaPercent: 0 }, true);
    expect(checks.map((c) => [c.name, c.value, c.passed])).toEqual([
      ['p95LatencyRatio', 1.5, true],
      ['errorRateDeltaPercent', -10, true],
    ]);
  });
  it('has nothing to judge before the window is complete, without a spec, at 100 % or without answers from both', () => {
    const spec = { p95LatencyRatio: 1.5, errorRateDeltaPercent: 1 };
    expect(compareChecks(windows({}, {}), spec, false)).toEqual([]);
    expect(compareChecks(windows({}, {}), undefined, true)).toEqual([]);
    expect(compareChecks(windows({}, null), spec, true)).toEqual([]);
    expect(compareChecks(windows({}, { requests: 0, p95LatencyMs: null }), spec, true)).toEqual([]);
  });
});
