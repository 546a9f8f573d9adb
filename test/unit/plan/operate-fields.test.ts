import { longestRolloutSeconds, resolvePlan } from '../../../lib/plan/plan.js';
import { describeIssues, manifestSchema } from '../../../lib/plan/schema.js';

/** The manifest fields of a person at the wheel and of health tolerance, as the issue's contract spells them. */
const release = { digest: 'ab'.repeat(32), release: { kind: 'dir' as const, path: '/tmp/x' } };
const base = { name: 'skin-similarity', version: '1.3.0', target: { environment: 'skin-dev' } };

describe('approval, health thresholds and failureLimit', () => {
  it('defaults: no pause, approvalTimeoutSeconds 3600, healthy/unhealthy thresholds 2, failureLimit 0', () => {
    const plan = resolvePlan(manifestSchema.parse({ ...base, phases: [{ name: 'only' }] }), release);
    expect(plan.health).toEqual({ path: '/health', timeoutMs: 2000, healthyThreshold: 2, unhealthyThreshold: 2 });
    expect(plan.phases[0]).toMatchObject({ approve: false, approvalTimeoutSeconds: 3600, gate: { failureLimit: 0 } });
  });

  it('reads the contract example: a paused phase, a phase that tolerates one failed sample, timeoutSeconds per probe', () => {
    const plan = resolvePlan(
      manifestSchema.parse({
        ...base,
        approvalTimeoutSeconds: 1800,
        health: { path: '/health', healthyThreshold: 3, unhealthyThreshold: 4, timeoutSeconds: 5 },
        phases: [
          { name: 'faiss-scin', approve: true },
          { name: 'verify-metrics', bakeSeconds: 60, gate: { failureLimit: 1, cpuPercent: 70 }, approve: true, approvalTimeoutSeconds: 60 },
        ],
      }),
      release,
    );
    expect(plan.health).toEqual({ path: '/health', timeoutMs: 5000, healthyThreshold: 3, unhealthyThreshold: 4 });
    expect(plan.phases.map((p) => [p.approve, p.approvalTimeoutSeconds, p.gate.failureLimit])).toEqual([
      [true, 1800, 0],
      [true, 60, 1],
    ]);
    // The lease covers every pause: no task renews it while a rollout waits.
    expect(longestRolloutSeconds(plan)).toBe(120 + 1800 + (120 + 60 + 60) + 120 + 300);
  });

  it('rejects a bad value with one line naming the field', () => {
    const bad = (m: Record<string, unknown>) => {
      const r = manifestSchema.safeParse({ ...base, ...m });
      return r.success ? 'accepted' : describeIssues(r.error);
    };
    expect(bad({ approvalTimeoutSeconds: 0 })).toMatch(/^approvalTimeoutSeconds: /);
    expect(bad({ health: { healthyThreshold: 0 } })).toMatch(/^health\.healthyThreshold: /);
    expect(bad({ phases: [{ name: 'a', gate: { failureLimit: -1 } }] })).toMatch(/^phases\.0\.gate\.failureLimit: /);
    expect(bad({ phases: [{ name: 'a', approve: 'yes' }] })).toMatch(/^phases\.0\.approve: /);
  });
});
