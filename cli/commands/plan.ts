import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { limitsFromEnv } from '../../lib/bundle/limits.js';
import { readBundle } from '../../lib/bundle/read.js';
import { describeCapacity } from '../../lib/plan/capacity.js';
import { resolvePlan, type Plan, type PlanTraffic } from '../../lib/plan/plan.js';
import type { Manifest } from '../../lib/plan/schema.js';

/** `ml-rollout plan`: a dry run. Reads the bundle in a scratch directory, so nothing is touched. */
export async function planBundle(bundle: string): Promise<{ plan: Plan; manifest: Manifest }> {
  const scratch = await mkdtemp(join(tmpdir(), 'ml-rollout-plan-'));
  try {
    const read = await readBundle(bundle, scratch, limitsFromEnv());
    return { plan: resolvePlan(read.manifest, { digest: read.digest, release: { kind: 'dir', path: bundle } }), manifest: read.manifest };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** "canary 10 % (30 s) → 50 % (30 s) → 100 % (bake); compare p95LatencyRatio ≤ 1.5": each step and its wait. */
export function trafficLine(t: PlanTraffic | undefined): string {
  if (!t || t.steps.length <= 1)
    return 'all at once (blue/green: the new version takes 100 % once healthy, the old one serving until then)';
  const steps = t.steps.map((s) => (s === 100 ? '100 % (bake)' : `${s} % (${t.stepSeconds} s)`)).join(' → ');
  const compare = Object.entries(t.compare ?? {}).map(([k, v]) => `${k} ≤ ${v}`);
  return `${t.strategy} ${steps}${compare.length ? `; compare ${compare.join(', ')}` : ''}`;
}

/** What `plan` prints: the plan, then the capacity preflight's fit and cost. */
export function planLines({ plan, manifest }: { plan: Plan; manifest: Manifest }): string[] {
  const lines = [
    `${plan.name} ${plan.version} → ${plan.target.type} environment ${plan.environment} (digest ${plan.digest.slice(0, 12)})`,
    `health: GET ${plan.health.path} (2xx within ${plan.health.timeoutMs} ms); polls every ${plan.pollSeconds} s`,
    `smoke: ${plan.smoke.length ? plan.smoke.map((s) => `${s.method} ${s.path} → ${s.expectStatus}`).join(', ') : 'none'}`,
  ];
  for (const p of plan.phases) {
    // Without smoke requests there is no latency to hold to inferenceMs; with an error budget,
    // smoke statuses count into the error rate instead of failing one by one.
    const limits = Object.entries(p.gate)
      .filter(([k]) => p.smoke || k !== 'inferenceMs')
      .map(([k, v]) => `${k} ≤ ${v}`);
    const checks = ['health 2xx', ...(p.smoke && p.gate.errorRatePercent === undefined ? ['each smoke status'] : []), ...limits];
    lines.push(`${p.index + 1}. ${p.name}`);
    lines.push(
      `     settings: ${
        Object.entries(p.settings)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ') || '(none)'
      }`,
    );
    lines.push(`     gate: ${checks.join(', ')}`);
    lines.push(
      `     deadline ${p.deadlineSeconds} s, bake ${p.bakeSeconds} s${p.bakeSeconds ? ` (a sample every ${plan.sampleSeconds} s)` : ''}`,
    );
    lines.push(`     traffic: ${trafficLine(p.traffic)}`);
  }
  lines.push(...describeCapacity(manifest));
  return lines;
}
