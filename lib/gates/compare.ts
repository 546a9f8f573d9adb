import type { VersionWindows } from './sample.js';
import type { Check } from './verdict.js';

/** `traffic.compare`: the new version against the one it replaces. */
export interface CompareSpec {
  /** new p95 / old p95 at or under this. */
  p95LatencyRatio?: number;
  /** new error rate − old error rate, percentage points, at or under this. */
  errorRateDeltaPercent?: number;
}

/**
 * The new version judged against the one it replaces over the same window, from the user
 * requests the router split between them. Judged once the step's window is complete; a check
 * needs answers from both versions (a step at 100 %, or a window without user traffic, has
 * nothing to compare, and the check is then not listed).
 */
export function compareChecks(versions: VersionWindows | undefined, spec: CompareSpec | undefined, final: boolean): Check[] {
  if (!spec || !final || !versions?.old) return [];
  const { new: n, old: o } = versions;
  const checks: Check[] = [];
  if (spec.p95LatencyRatio !== undefined && n.p95LatencyMs !== null && o.p95LatencyMs !== null && o.p95LatencyMs > 0) {
    const ratio = round(n.p95LatencyMs / o.p95LatencyMs, 100);
    checks.push({
      name: 'p95LatencyRatio',
      value: ratio,
      threshold: spec.p95LatencyRatio,
      passed: ratio <= spec.p95LatencyRatio,
      unit: '×',
    });
  }
  if (spec.errorRateDeltaPercent !== undefined && n.requests > 0 && o.requests > 0) {
    const delta = round((n.errors / n.requests) * 100 - (o.errors / o.requests) * 100, 10);
    checks.push({
      name: 'errorRateDeltaPercent',
      value: delta,
      threshold: spec.errorRateDeltaPercent,
      passed: delta <= spec.errorRateDeltaPercent,
      unit: ' points',
    });
  }
  return checks;
}

function round(n: number, by: number): number {
  return Math.round(n * by) / by;
}
