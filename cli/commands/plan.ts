import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shippedFiles } from '../../lib/bundle/digest.js';
import { limitsFromEnv } from '../../lib/bundle/limits.js';
import { platformFiles, type PlatformFile } from '../../lib/bundle/platform.js';
import { readBundle } from '../../lib/bundle/read.js';
import { describeCapacity } from '../../lib/plan/capacity.js';
import { resolvePlan, type Plan, type PlanTraffic } from '../../lib/plan/plan.js';
import { AWS_DEFAULTS } from '../../lib/plan/defaults.js';
import type { Manifest } from '../../lib/plan/schema.js';
import { modelLines } from './plan-model.js';

/** `ml-rollout plan`: a dry run. Reads the bundle in a scratch directory, so nothing is touched. */
export async function planBundle(bundle: string): Promise<{ plan: Plan; manifest: Manifest; platformFiles?: PlatformFile[] }> {
  const scratch = await mkdtemp(join(tmpdir(), 'ml-rollout-plan-'));
  try {
    const read = await readBundle(bundle, scratch, limitsFromEnv());
    return {
      plan: resolvePlan(read.manifest, { digest: read.digest, release: { kind: 'dir', path: bundle } }),
      manifest: read.manifest,
      platformFiles: platformFiles(await shippedFiles(read.dir)),
    };
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
export function planLines({ plan, manifest, platformFiles }: { plan: Plan; manifest: Manifest; platformFiles?: PlatformFile[] }): string[] {
  const lines = [
    `${plan.name} ${plan.version} → ${plan.target.type} environment ${plan.environment} (digest ${plan.digest.slice(0, 12)})`,
    // What Elastic Beanstalk reads from the bundle itself (pack ships dot-files; see docs/aws-targets.md).
    ...(platformFiles?.length ? [`platform files: ${platformFiles.map((f) => `${f.path} (${f.kind})`).join(', ')}`] : []),
    `health: GET ${plan.health.path} (2xx within ${plan.health.timeoutMs} ms); polls every ${plan.pollSeconds} s` +
      (plan.health.healthyThreshold ? `; stable after ${plan.health.healthyThreshold} healthy in a row` : ''),
    `smoke: ${plan.smoke.length ? plan.smoke.map((s) => `${s.method} ${s.path} → ${s.expectStatus}`).join(', ') : 'none'}`,
  ];
  lines.push(...modelLines(plan));
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
    lines.push(`     traffic: ${trafficLine(p.traffic)}`);
    if (p.approve) lines.push(`     then waits for approval (ml-rollout approve), rolling back after ${p.approvalTimeoutSeconds} s`);
  }
  lines.push(...shortBakeNotes(plan));
  lines.push(...describeCapacity(manifest));
  return lines;
}

/**
 * On an AWS target a gate judges CloudWatch datapoints from after the phase became stable only;
 * a bake shorter than AWS_DEFAULTS.metricsBakeSeconds ends before one is published, and the gate
 * then fails with "no datapoint since …".
 */
function shortBakeNotes(plan: Plan): string[] {
  if (plan.target.type === 'local') return [];
  const metered = ['memoryPercent', 'cpuPercent', 'p95LatencyMs', 'errorRatePercent'] as const;
  return plan.phases
    .filter((p) => p.bakeSeconds > 0 && p.bakeSeconds < AWS_DEFAULTS.metricsBakeSeconds && metered.some((m) => p.gate[m] !== undefined))
    .map(
      (p) =>
        `note: ${p.name} bakes ${p.bakeSeconds} s; one-minute CloudWatch metrics need bakeSeconds ≥ ${AWS_DEFAULTS.metricsBakeSeconds} ` +
        'to have a datapoint from after the phase became stable (else its gate fails: "no datapoint since …")',
    );
}
