import { DEFAULTS } from '../plan/defaults.js';
import type { PlanPhase } from '../plan/plan.js';
import type { BakeWindow } from './bake.js';
import { summarize } from './stats.js';
import type { Check, Verdict } from './verdict.js';

/**
 * The gate's verdict on a window: every measured value against its threshold.
 *
 * Some checks fail fast on every sample (health, a smoke status when no error budget is set, the
 * slowest request, peak memory); averages (CPU, p95, error rate) are judged only once the window
 * is complete (`final`), because a few early samples say little about them — the service may
 * still be warming up.
 *
 * With `gate.failureLimit` > 0 a failed sample (its health probe or a smoke request) is tolerated
 * while the window's failed samples stay within the limit and the failed health probes in a row
 * stay under `unhealthyThreshold`: its failed checks are kept, marked `tolerated`, and the two
 * counts lead the checks. With the default limit 0 the first failed sample fails the gate.
 */
export function evaluate(
  window: BakeWindow,
  phase: PlanPhase,
  final: boolean,
  unhealthyThreshold: number = DEFAULTS.unhealthyThreshold,
): Verdict {
  const g = phase.gate;
  const checks: Check[] = [];
  const failureLimit = g.failureLimit ?? DEFAULTS.failureLimit;
  const failedSamples = window.failedSamples ?? 0;
  const inARow = window.healthFailuresInARow ?? 0;
  const tolerate = failureLimit > 0 && failedSamples <= failureLimit && inARow < unhealthyThreshold;
  if (failureLimit > 0) {
    checks.push({
      name: 'failedSamples',
      value: failedSamples,
      threshold: failureLimit,
      passed: failedSamples <= failureLimit,
      unit: ' samples',
    });
    checks.push({
      name: 'healthFailuresInARow',
      value: inARow,
      threshold: unhealthyThreshold - 1,
      passed: inARow < unhealthyThreshold,
      unit: ' probes',
    });
  }
  const health = window.health;
  checks.push({
    // Named plainly: reports are read by tools too; the path is in the manifest, the status is the value.
    name: 'health',
    value: health.status ?? health.error ?? null,
    threshold: '2xx',
    passed: health.ok,
    ...(tolerate && !health.ok ? { tolerated: true } : {}),
  });

  const lat = summarize(window.latencies);
  if (phase.smoke) {
    if (g.errorRatePercent === undefined) {
      for (const r of window.lastRequests) {
        // Golden requests are judged together, by their status and agreement (lib/rollout/answers.ts).
        if (r.ref?.kind === 'golden') continue;
        checks.push({
          name: `smoke ${r.label}`,
          value: r.status ?? r.error ?? null,
          threshold: r.expectStatus,
          passed: r.ok,
          ...(tolerate && !r.ok ? { tolerated: true } : {}),
        });
      }
    }
    checks.push(limit('inferenceMs', lat.max, g.inferenceMs, 'ms', window.requests > 0 || final));
  }
  // A target whose metrics must be fresh (metricsSince) may have no datapoint yet: judged when the window closes.
  const since = window.metricsSince !== undefined ? new Date(window.metricsSince).toISOString() : undefined;
  checks.push(limit('memoryPercent', window.memoryPercent, g.memoryPercent, '%', final || window.memoryPercent !== null || !since, since));

  if (final) {
    const targetErr = window.targetMetrics?.errorRatePercent;
    const errorRate = targetErr !== undefined ? targetErr : window.requests > 0 ? round((window.failures / window.requests) * 100) : null;
    checks.push(limit('errorRatePercent', errorRate, g.errorRatePercent, '%', true, targetErr !== undefined ? since : undefined));
    const targetP95 = window.targetMetrics?.p95LatencyMs;
    const slowest5 = window.targetMetrics?.slowest5PercentMeanLatencyMs;
    // A target without a true percentile (Elastic Beanstalk without an ALB) reports the mean of the
    // slowest 5 %: the p95 threshold judges it, under a name that says what it is.
    if (targetP95 === undefined && slowest5 !== undefined) {
      checks.push(limit('slowest5PercentMeanLatencyMs', slowest5, g.p95LatencyMs, 'ms', true));
    } else {
      checks.push(
        limit(
          'p95LatencyMs',
          targetP95 !== undefined ? targetP95 : lat.p95,
          g.p95LatencyMs,
          'ms',
          true,
          targetP95 !== undefined ? since : undefined,
        ),
      );
    }
    checks.push(limit('cpuPercent', window.cpuPercent, g.cpuPercent, '%', true, since));
  }
  const judged = checks.filter((c): c is Check => c !== null && c.threshold !== undefined && c.threshold !== null);
  return { passed: judged.every((c) => c.passed || c.tolerated === true), checks: judged };
}

/** A ≤ check; absent threshold → no check; unmeasurable value → inconclusive, which fails. */
function limit(name: string, value: number | null, threshold: number | undefined, unit: string, judge: boolean, since?: string): Check {
  if (threshold === undefined || !judge) return { name, value, threshold: null, passed: true };
  if (value === null)
    return { name, value: null, threshold, passed: false, inconclusive: true, unit, ...(since ? { noDataSince: since } : {}) };
  return { name, value: round(value), threshold, passed: value <= threshold, unit };
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
