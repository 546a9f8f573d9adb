import { describeCheck } from '../lib/gates/verdict.js';
import type { RolloutReport } from './report.js';

const MARK: Record<string, string> = { passed: '✓', failed: '✗', skipped: '·' };

/**
 * The closing summary: each phase and each gate check, measured value against threshold.
 * @param bundle what was deployed, named when the bundle was rejected before it named an environment
 */
export function summaryLines(report: RolloutReport, url: string | null, bundle?: string): string[] {
  const subject = report.environment ? `${report.environment} ${report.version ?? ''}`.trimEnd() : (bundle ?? 'the bundle');
  const lines = ['', `Summary: ${subject}`];
  for (const p of report.phases) {
    lines.push(`  ${MARK[p.status] ?? '?'} ${p.name} (${p.status})`);
    // Steps only where there were several (all at once is the phase itself).
    if ((p.traffic?.length ?? 0) > 1)
      lines.push(`      traffic: ${p.traffic.map((t) => `${MARK[t.status] ?? '?'} ${t.percent} %`).join(' → ')}`);
    for (const note of p.notes ?? []) lines.push(`      changed: ${note}`);
    for (const c of p.checks) lines.push(`      ${c.passed ? '✓' : '✗'} ${describeCheck(c)}`);
    const m = p.measurements;
    if (m && m.samples > 1 && m.requests > 0) {
      lines.push(
        `        measured: ${m.requests} requests (${m.failures} failed), latency p50/p95/p99 ${m.p50LatencyMs}/${m.p95LatencyMs}/${m.p99LatencyMs} ms, cpu ${m.cpuPercent ?? '?'}%, memory ${m.memoryPercent ?? '?'}%`,
      );
    }
    if (p.status === 'failed' && p.error && p.checks.every((c) => c.passed)) lines.push(`      ✗ ${p.error}`);
  }
  switch (report.status) {
    case 'succeeded':
      lines.push(
        report.unchanged
          ? `Unchanged: ${report.version} already serves${url ? ` at ${url}` : ''}.`
          : `Succeeded: ${report.version} serves${url ? ` at ${url}` : ''} (previous: ${report.previousVersion ?? 'none'}).`,
      );
      break;
    case 'rolled_back': {
      const r = report.rollback;
      lines.push(`Rolled back: ${report.reason ?? 'a gate failed'}`);
      lines.push(
        r.restoredVersion
          ? `  ${r.restoredVersion} serves again${url ? ` at ${url}` : ''} (verified healthy: ${r.verified ? 'yes' : 'no'}).`
          : '  first deployment: the environment is stopped.',
      );
      break;
    }
    case 'rejected':
      lines.push(`Rejected: ${report.reason ?? 'invalid input'}`);
      break;
    default:
      lines.push(`FAILED: ${report.reason ?? 'unknown error'}`);
      if (report.rollback.performed && !report.rollback.verified)
        lines.push('  the rollback could not be verified: check the environment by hand.');
  }
  return lines;
}
