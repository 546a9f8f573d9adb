import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { limitsFromEnv } from '../../lib/bundle/limits.js';
import { readBundle } from '../../lib/bundle/read.js';
import { describeCapacity } from '../../lib/plan/capacity.js';
import { resolvePlan, type Plan } from '../../lib/plan/plan.js';
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

/** What `plan` prints: the plan, then the capacity preflight's fit and cost. */
export function planLines({ plan, manifest }: { plan: Plan; manifest: Manifest }): string[] {
  const lines = [
    `${plan.name} ${plan.version} → ${plan.target.type} environment ${plan.environment} (digest ${plan.digest.slice(0, 12)})`,
    `health: GET ${plan.health.path} (2xx within ${plan.health.timeoutMs} ms); polls every ${plan.pollSeconds} s` +
      (plan.health.healthyThreshold ? `; stable after ${plan.health.healthyThreshold} healthy in a row` : ''),
    `smoke: ${plan.smoke.length ? plan.smoke.map((s) => `${s.method} ${s.path} → ${s.expectStatus}`).join(', ') : 'none'}`,
  ];
  for (const p of plan.phases) {
    // Without smoke requests there is no latency to hold to inferenceMs; with an error budget,
    // smoke statuses count into the error rate instead of failing one by one.
    const limits = Object.entries(p.gate)
      .filter(([k, v]) => (p.smoke || k !== 'inferenceMs') && !(k === 'failureLimit' && !v))
      .map(([k, v]) => (k === 'failureLimit' ? `${v} failed sample${v === 1 ? '' : 's'} tolerated` : `${k} ≤ ${v}`));
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
    if (p.approve) lines.push(`     then waits for approval (ml-rollout approve), rolling back after ${p.approvalTimeoutSeconds} s`);
  }
  lines.push(...describeCapacity(manifest));
  return lines;
}
