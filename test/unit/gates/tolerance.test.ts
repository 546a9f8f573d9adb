import { accumulate, type BakeWindow } from '../../../lib/gates/bake.js';
import { evaluate } from '../../../lib/gates/evaluate.js';
import type { RequestResult, Sample } from '../../../lib/gates/sample.js';
import type { PlanPhase } from '../../../lib/plan/plan.js';

/** gate.failureLimit and health.unhealthyThreshold: which failed samples a bake tolerates. */
const up: RequestResult = { label: 'GET /health', status: 200, expectStatus: 200, latencyMs: 3, ok: true };
const down: RequestResult = { ...up, status: 503, ok: false };
const phase = (failureLimit?: number): PlanPhase => ({
  index: 1,
  name: 'verify-metrics',
  settings: {},
  changes: {},
  smoke: false,
  bakeSeconds: 60,
  deadlineSeconds: 120,
  gate: { inferenceMs: 5000, ...(failureLimit !== undefined ? { failureLimit } : {}) },
});
const sample = (at: number, health: RequestResult): Sample => ({ at, health, requests: [], cpuPercent: 1, memoryPercent: 1, cursor: null });
const bake = (p: PlanPhase, healths: RequestResult[]): BakeWindow =>
  healths.reduce<BakeWindow | null>((w, h, i) => accumulate(w, sample(i * 1000, h), p), null)!;

describe('gate tolerance', () => {
  it('counts failed samples over the window and failed health probes in a row', () => {
    const w = bake(phase(3), [up, down, down, up, down]);
    expect([w.failedSamples, w.healthFailuresInARow]).toEqual([3, 1]);
  });

  it('default failureLimit 0: the first failed sample fails, with no tolerance checks added', () => {
    const v = evaluate(bake(phase(), [up, down]), phase(), false);
    expect(v.passed).toBe(false);
    expect(v.checks.map((c) => c.name)).not.toContain('failedSamples');
  });

  it('within failureLimit: the failed health check is kept, marked tolerated, and the gate passes', () => {
    const v = evaluate(bake(phase(1), [up, down]), phase(1), false);
    expect(v.passed).toBe(true);
    expect(v.checks.find((c) => c.name === 'health')).toMatchObject({ passed: false, tolerated: true, value: 503 });
    expect(v.checks[0]).toMatchObject({ name: 'failedSamples', value: 1, threshold: 1, passed: true });
  });

  it('one more than failureLimit fails, and the failedSamples check says why', () => {
    const v = evaluate(bake(phase(1), [up, down, up, down]), phase(1), false);
    expect(v.passed).toBe(false);
    expect(v.checks.find((c) => !c.passed && !c.tolerated)).toMatchObject({ name: 'failedSamples', value: 2, threshold: 1 });
  });

  it('unhealthyThreshold failed probes in a row fail even within failureLimit', () => {
    expect(evaluate(bake(phase(5), [up, down, down]), phase(5), false, 2).passed).toBe(false);
    expect(evaluate(bake(phase(5), [up, down, down]), phase(5), false, 3).passed).toBe(true);
  });
});
