import { longestRolloutSeconds, resolvePlan } from '../../../lib/plan/plan.js';
import { manifestSchema } from '../../../lib/plan/schema.js';

const release = { digest: 'ab'.repeat(32), release: { kind: 'dir' as const, path: '/tmp/x' } };

describe('resolvePlan', () => {
  it('accumulates settings from phase to phase and applies the defaults', () => {
    const plan = resolvePlan(
      manifestSchema.parse({ name: 'skin-similarity', version: '1.2.0', target: { environment: 'skin-dev' } }),
      release,
    );
    expect(plan.phases.map((p) => p.settings)).toEqual([
      { ML_AVAILABLE: 'false', PRELOAD_FAISS: 'false' },
      { ML_AVAILABLE: 'true', PRELOAD_FAISS: 'false' },
      { ML_AVAILABLE: 'true', PRELOAD_FAISS: 'true', FAISS_DIMENSION: '512' },
      { ML_AVAILABLE: 'true', PRELOAD_FAISS: 'true', FAISS_DIMENSION: '512' },
    ]);
    expect(plan.phases[3]).toMatchObject({
      bakeSeconds: 60,
      deadlineSeconds: 120,
      gate: { cpuPercent: 70, memoryPercent: 80, p95LatencyMs: 10000, errorRatePercent: 1, inferenceMs: 5000 },
    });
    expect(plan.phases[0]).toMatchObject({ smoke: false, gate: { inferenceMs: 5000 } });
    expect(plan).toMatchObject({ environment: 'skin-dev', pollSeconds: 1, sampleSeconds: 1, health: { path: '/health' } });
    expect(longestRolloutSeconds(plan)).toBe(4 * 120 + 60 + 120 + 300);
  });

  it('keeps YAML scalars as strings and run options over the defaults', () => {
    const m = manifestSchema.parse({
      name: 'a',
      version: '1',
      target: { environment: 'e' },
      phases: [{ name: 'p', settings: { ML_AVAILABLE: true, WORKERS: 4 } }],
    });
    const plan = resolvePlan(m, release, { pollSeconds: 5 });
    expect(plan.phases[0]?.settings).toEqual({ ML_AVAILABLE: 'true', WORKERS: '4' });
    expect(plan.pollSeconds).toBe(5);
  });

  it('rejects duplicate phase names', () => {
    const r = manifestSchema.safeParse({ name: 'a', version: '1', target: { environment: 'e' }, phases: [{ name: 'p' }, { name: 'p' }] });
    expect(r.success).toBe(false);
  });
});
