import { describeCheck } from '../lib/gates/verdict.js';
import { describeCost, type CostEstimate } from '../lib/rollout/cost.js';
import { historyRow } from '../lib/rollout/history.js';
import { stepsOf } from '../lib/rollout/view.js';
import { formatDuration } from '../lib/notify/slack-blocks.js';
import type { PhaseRecord, RolloutRecord } from '../lib/state/types.js';
import type { RolloutReport } from './report.js';
import { escapeHtml as h, lineChart } from './svg-chart.js';

/**
 * Charts are drawn for a bake (more than one sample) and for a phase that failed its gate; a
 * phase judged on one sample and passed is shown by its checks alone.
 */
export function charted(p: PhaseRecord): boolean {
  const n = p.series?.length ?? 0;
  return n > 1 || (n === 1 && p.status === 'failed');
}

/** The four charts of a phase's bake, each sample a point, thresholds drawn; empty when it is not charted. */
export function phaseCharts(p: PhaseRecord): string[] {
  const s = p.series ?? [];
  if (!charted(p)) return [];
  const t = p.thresholds ?? {};
  const at = (f: (x: (typeof s)[number]) => number | null) => s.map((x) => [x.at, f(x)] as [number, number | null]);
  return [
    lineChart({
      id: 'latency',
      title: 'Latency p50 / p95',
      unit: 'ms',
      lines: [
        { label: 'p50', colour: '#2471a3', points: at((x) => x.p50LatencyMs) },
        { label: 'p95', colour: '#7d3c98', points: at((x) => x.p95LatencyMs) },
      ],
      ...(t.p95LatencyMs !== undefined ? { threshold: t.p95LatencyMs } : {}),
    }),
    lineChart({
      id: 'errorRate',
      title: 'Error rate',
      unit: '%',
      lines: [{ label: 'errors', colour: '#d35400', points: at((x) => x.errorRatePercent) }],
      ...(t.errorRatePercent !== undefined ? { threshold: t.errorRatePercent } : {}),
    }),
    lineChart({
      id: 'cpu',
      title: 'CPU',
      unit: '% of a core',
      lines: [{ label: 'cpu', colour: '#117a65', points: at((x) => x.cpuPercent) }],
      ...(t.cpuPercent !== undefined ? { threshold: t.cpuPercent } : {}),
    }),
    lineChart({
      id: 'memory',
      title: 'Memory',
      unit: '%',
      lines: [{ label: 'memory', colour: '#b7950b', points: at((x) => x.memoryPercent) }],
      ...(t.memoryPercent !== undefined ? { threshold: t.memoryPercent } : {}),
    }),
  ];
}

/** The style both pages share, inline (a self-contained file loads nothing). */
export const PAGE_STYLE = `body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#1c2833;background:#fdfefe}
h1{font-size:20px}h2{font-size:16px;margin-top:24px}table{border-collapse:collapse;margin:6px 0}
td,th{border:1px solid #d5d8dc;padding:3px 8px;text-align:left;font-size:13px}th{background:#f2f3f4}
.passed{color:#1e8449}.failed{color:#c0392b}.skipped,.pending{color:#7f8c8d}.running{color:#2471a3}
.charts{display:flex;flex-wrap:wrap;gap:8px}.chart{border:1px solid #e5e8e8;background:#fff}
.ct{font-size:12px;font-weight:600}.tick{font-size:10px;fill:#566573}.axis{stroke:#aab7b8}
.bar{display:inline-block;height:10px;background:#2471a3;vertical-align:middle}.muted{color:#7f8c8d}`;

function checksTable(p: PhaseRecord): string {
  if (p.checks.length === 0) return '';
  const rows = p.checks
    .map(
      (c) =>
        `<tr class="check ${c.passed ? 'passed' : 'failed'}"><td>${h(c.name)}</td><td>${h(String(c.value ?? '—'))}${h(c.unit ?? '')}</td><td>${h(String(c.threshold ?? '—'))}${h(c.unit ?? '')}</td><td>${c.passed ? '✓ passed' : '✗ failed'}</td></tr>`,
    )
    .join('');
  return `<table class="checks"><tr><th>check</th><th>value</th><th>threshold</th><th>passed</th></tr>${rows}</table>`;
}

function stepsHtml(p: PhaseRecord): string {
  const steps = stepsOf(p);
  if (steps.length === 0) return '';
  const cells = steps
    .map(
      (s, i) =>
        `<li class="step ${h(s.status ?? '')}">step ${i + 1}: ${s.weight ?? '?'} % of traffic${s.status ? ` (${h(s.status)})` : ''}</li>`,
    )
    .join('');
  return `<ul class="steps">${cells}</ul>`;
}

function phaseDuration(p: PhaseRecord): string {
  return p.startedAt && p.finishedAt ? formatDuration(Date.parse(p.finishedAt) - Date.parse(p.startedAt)) : '';
}

/** The phase timeline: one row per phase with its times and traffic steps. */
export function timelineHtml(r: RolloutRecord): string {
  const rows = r.phases
    .map(
      (p, i) =>
        `<tr class="phase ${h(p.status)}"><td>${i + 1}</td><td>${h(p.name)}</td><td class="${h(p.status)}">${h(p.status)}</td><td>${h(p.startedAt ?? '')}</td><td>${phaseDuration(p)}</td><td>${stepsHtml(p)}${p.error ? `<span class="failed">${h(p.error)}</span>` : ''}</td></tr>`,
    )
    .join('');
  return `<table class="timeline"><tr><th>#</th><th>phase</th><th>status</th><th>started</th><th>took</th><th>steps / why</th></tr>${rows}</table>`;
}

export function costHtml(cost: CostEstimate | undefined, running = false): string {
  if (!cost) return `<p class="cost muted">AWS cost: ${running ? 'stated when the rollout ends' : 'not recorded for this rollout'}</p>`;
  return `<p class="cost">AWS cost: ${h(describeCost(cost))} — $${cost.stepFunctionsUsd.toFixed(6)} Step Functions (${cost.transitions} × $${cost.prices.perTransition}) + $${cost.lambdaUsd.toFixed(6)} Lambda (${cost.lambdaRequests} requests, ${cost.lambdaGbSeconds} GB-s × $${cost.prices.perGbSecond}); prices: ${h(cost.prices.source)}</p>`;
}

/** The phases' checks and charts, one section each. */
export function phasesHtml(r: RolloutRecord): string {
  return r.phases
    .filter((p) => p.status !== 'pending')
    .map((p) => {
      const charts = phaseCharts(p);
      return `<section class="phase-detail" data-phase="${h(p.name)}"><h2>${h(p.name)} <span class="${h(p.status)}">${h(p.status)}</span></h2>${checksTable(p)}${
        charts.length
          ? `<div class="charts">${charts.join('')}</div>`
          : `<p class="muted">${p.series?.length === 1 ? 'judged on one sample (no bake)' : 'no gate samples'}</p>`
      }</section>`;
    })
    .join('');
}

/**
 * `report --html` and `deploy --report-html`: one self-contained page (no script, style sheet,
 * font or image from elsewhere) for one rollout, from its record and, where the local engine ran
 * it, its JSON report (transitions, cost).
 */
export function reportHtml(r: RolloutRecord, report: RolloutReport | null): string {
  const row = historyRow(r);
  const failed = row.failedCheck
    ? ` — ${h(row.failedPhase ?? '')} ${h(describeCheck(row.failedCheck))}`
    : row.reason
      ? ` — ${h(row.reason)}`
      : '';
  const rb = r.rollback.performed
    ? `<p>Rollback: ${h(r.rollback.restoredVersion ?? 'nothing to restore')} (verified healthy: ${r.rollback.verified ? 'yes' : 'no'})</p>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ml-rollout ${h(r.environment)} ${h(r.version)} ${h(row.status)}</title>
<style>${PAGE_STYLE}</style></head>
<body>
<h1>${h(r.environment)}: ${h(r.name)} ${h(r.version)} <span class="${row.status === 'succeeded' ? 'passed' : 'failed'}" id="status">${h(row.status)}</span></h1>
<p>Rollout ${h(r.id)} · previous ${h(r.previousVersion ?? 'none')} · started ${h(r.startedAt)}${row.durationMs !== null ? ` · took ${formatDuration(row.durationMs)}` : ''}${failed}</p>
${rb}${costHtml(report?.cost ?? r.cost)}
<h2>Timeline</h2>
${timelineHtml(r)}
${phasesHtml(r)}
</body></html>
`;
}
