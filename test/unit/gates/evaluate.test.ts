import { accumulate, isComplete, type BakeWindow } from '../../../lib/gates/bake.js';
import { evaluate } from '../../../lib/gates/evaluate.js';
import { percentile, summarize } from '../../../lib/gates/stats.js';
import { describeCheck } from '../../../lib/gates/verdict.js';
import type { PlanPhase } from '../../../lib/plan/plan.js';
import type { RequestResult, Sample } from '../../../lib/gates/sample.js';

const ok = (latencyMs: number, status = 200): RequestResult => ({
  label: 'POST /predict',
  status,
  expectStatus: 200,
  latencyMs,
  ok: status === 200,
});
const health: RequestResult = { label: 'GET /health', status: 200, expectStatus: 200, latencyMs: 3, ok: true };
const phase = (gate: Partial<PlanPhase['gate']> = {}, extra: Partial<PlanPhase> = {}): PlanPhase => ({
  index: 3,
  name: 'verify-metrics',
  settings: {},
  changes: {},
  smoke: true,
  bakeSeconds: 10,
  deadlineSeconds: 120,
  gate: { inferenceMs: 5000, ...gate },
  ...extra,
});
const sample = (at: number, requests: RequestResult[], over: Partial<Sample> = {}): Sample => ({
  at,
  health,
  requests,
  cpuPercent: 12.5,
  memoryPercent: 40,
  cursor: { at: 0, cpuTicks: 0 },
  ...over,
});
const windowOf = (p: PlanPhase, samples: Sample[]): BakeWindow => samples.reduce<BakeWindow | null>((w, s) => accumulate(w, s, p), null)!;

describe('percentiles', () => {
  it('nearest rank', () => {
    const v = Array.from({ length: 100 }, (_, i) => i + 1);
    expect([percentile(v, 50), percentile(v, 95), percentile(v, 99)]).toEqual([50, 95, 99]);
    expect(summarize([])).toEqual({ p50: null, p95: null, p99: null, max: null, count: 0 });
  });
});

describe('bake window', () => {
  it('accumulates requests, failures, latencies and peak memory; completes after bakeSeconds', () => {
    const p = phase();
    const w = windowOf(p, [sample(1000, [ok(10), ok(20, 500)], { memoryPercent: 50 }), sample(2000, [ok(30)], { memoryPercent: 45 })]);
    expect(w).toMatchObject({
      startedAt: 1000,
      until: 11_000,
      samples: 2,
      requests: 3,
      failures: 1,
      latencies: [10, 20, 30],
      memoryPercent: 50,
    });
    expect(isComplete(w, 10_999)).toBe(false);
    expect(isComplete(w, 11_000)).toBe(true);
  });

  it('a sample of another phase starts a new window', () => {
    const w = windowOf(phase(), [sample(1000, [ok(10)])]);
    const next = accumulate(w, sample(5000, [ok(5)]), phase({}, { index: 4 }));
    expect(next).toMatchObject({ phase: 4, startedAt: 5000, samples: 1, latencies: [5] });
  });
});

describe('gate verdict', () => {
  const gate = { cpuPercent: 70, memoryPercent: 80, p95LatencyMs: 100, errorRatePercent: 1 };

  it('passes with every measured value listed against its threshold', () => {
    const p = phase(gate);
    const v = evaluate(windowOf(p, [sample(0, [ok(10), ok(20)])]), p, true);
    expect(v.passed).toBe(true);
    expect(v.checks).toEqual([
      { name: 'health', value: 200, threshold: '2xx', passed: true },
      { name: 'inferenceMs', value: 20, threshold: 5000, passed: true, unit: 'ms' },
      { name: 'memoryPercent', value: 40, threshold: 80, passed: true, unit: '%' },
      { name: 'errorRatePercent', value: 0, threshold: 1, passed: true, unit: '%' },
      { name: 'p95LatencyMs', value: 20, threshold: 100, passed: true, unit: 'ms' },
      { name: 'cpuPercent', value: 12.5, threshold: 70, passed: true, unit: '%' },
    ]);
  });

  it.each([
    ['cpuPercent', { cpuPercent: 91.2 }, 'cpuPercent 91.2% > 70%'],
    ['memoryPercent', { memoryPercent: 85 }, 'memoryPercent 85% > 80%'],
  ])('fails on %s naming the value', (_name, over, text) => {
    const p = phase(gate);
    const v = evaluate(windowOf(p, [sample(0, [ok(10)], over)]), p, true);
    expect(v.passed).toBe(false);
    expect(describeCheck(v.checks.find((c) => !c.passed)!)).toBe(text);
  });

  it('fails on p95 latency and error rate over the window', () => {
    const p = phase(gate);
    const reqs = [...Array.from({ length: 18 }, () => ok(10)), ok(400), ok(500, 503)];
    const v = evaluate(windowOf(p, [sample(0, reqs)]), p, true);
    const failed = v.checks.filter((c) => !c.passed).map(describeCheck);
    expect(failed).toEqual(['errorRatePercent 5% > 1%', 'p95LatencyMs 400ms > 100ms']);
  });

  it('judges averages only once the window is complete; fast checks at every sample', () => {
    const p = phase(gate);
    const early = evaluate(windowOf(p, [sample(0, [ok(10)], { cpuPercent: 99 })]), p, false);
    expect(early.passed).toBe(true);
    expect(early.checks.map((c) => c.name)).toEqual(['health', 'inferenceMs', 'memoryPercent']);
    const slow = evaluate(windowOf(p, [sample(0, [ok(6000)])]), p, false);
    expect(describeCheck(slow.checks.find((c) => !c.passed)!)).toBe('inferenceMs 6000ms > 5000ms');
  });

  it('without an error budget every smoke status must match', () => {
    const p = phase({});
    const v = evaluate(windowOf(p, [sample(0, [ok(10, 500)])]), p, true);
    expect(describeCheck(v.checks.find((c) => !c.passed)!)).toBe('smoke POST /predict 500 (expected 200)');
  });

  it('a value that cannot be measured is inconclusive and fails', () => {
    const p = phase({ memoryPercent: 80 });
    const v = evaluate(windowOf(p, [sample(0, [ok(10)], { memoryPercent: null })]), p, true);
    const mem = v.checks.find((c) => c.name === 'memoryPercent')!;
    expect(mem).toEqual({ name: 'memoryPercent', value: null, threshold: 80, passed: false, inconclusive: true, unit: '%' });
    expect(v.passed).toBe(false);
    expect(describeCheck(mem)).toBe('memoryPercent could not be measured (threshold 80%)');
  });

  it('an unhealthy service fails, whatever else it measures', () => {
    const p = phase();
    const down = { ...health, status: null, ok: false, error: 'ECONNREFUSED' };
    const v = evaluate(windowOf(p, [sample(0, [], { health: down })]), { ...p, smoke: false }, true);
    expect(describeCheck(v.checks[0]!)).toBe('health ECONNREFUSED (expected 2xx)');
  });

  it('metrics the target measured itself take the place of those computed from requests', () => {
    const p = phase(gate);
    const w = windowOf(p, [sample(0, [], { metrics: { p95LatencyMs: 250, errorRatePercent: 0.2 } })]);
    const v = evaluate(w, { ...p, smoke: false }, true);
    expect(v.checks.filter((c) => !c.passed).map(describeCheck)).toEqual(['p95LatencyMs 250ms > 100ms']);
  });
});

describe('metrics that must be fresh (a target with metricsSince)', () => {
  const since = Date.parse('2026-01-01T10:00:00Z');
  const fresh = (at: number, over: Partial<Sample>) =>
    sample(at, [ok(10)], { metricsSince: since, metrics: { p95LatencyMs: null, errorRatePercent: null }, ...over });

  it('no fresh datapoint yet: inconclusive, the gate keeps baking', () => {
    const p = phase({ memoryPercent: 80, p95LatencyMs: 500 });
    const w = windowOf(p, [fresh(since, { memoryPercent: null })]);
    expect(evaluate(w, p, false).passed).toBe(true);
  });

  it('still none when the window closes: fails naming the metric and "no datapoint since …"', () => {
    const p = phase({ memoryPercent: 80, p95LatencyMs: 500 });
    const w = windowOf(p, [fresh(since, { memoryPercent: null }), fresh(since + 10_000, { memoryPercent: null })]);
    const verdict = evaluate(w, p, true);
    expect(verdict.passed).toBe(false);
    const failed = verdict.checks.filter((c) => !c.passed).map(describeCheck);
    expect(failed).toEqual([
      'memoryPercent: no datapoint since 2026-01-01T10:00:00.000Z (threshold 80%)',
      'p95LatencyMs: no datapoint since 2026-01-01T10:00:00.000Z (threshold 500ms)',
    ]);
  });

  it('a fresh datapoint is judged as usual', () => {
    const p = phase({ memoryPercent: 80, p95LatencyMs: 500 });
    const w = windowOf(p, [fresh(since, { memoryPercent: 50, metrics: { p95LatencyMs: 120, errorRatePercent: 0 } })]);
    expect(evaluate(w, p, true).passed).toBe(true);
  });
});
