import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readBundle } from '../../bundle/read.js';
import { resolvePlan, type Plan } from '../../plan/plan.js';

/** `ml-rollout plan`: a dry run. Reads the bundle in a scratch directory, so nothing is touched. */
export async function planBundle(bundle: string): Promise<Plan> {
  const scratch = await mkdtemp(join(tmpdir(), 'ml-rollout-plan-'));
  try {
    const read = await readBundle(bundle, scratch);
    return resolvePlan(read.manifest, { digest: read.digest, release: { kind: 'dir', path: bundle } });
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

export function planLines(plan: Plan): string[] {
  const lines = [
    `${plan.name} ${plan.version} → ${plan.target.type} environment ${plan.environment} (digest ${plan.digest.slice(0, 12)})`,
    `health: GET ${plan.health.path} (2xx within ${plan.health.timeoutMs} ms); polls every ${plan.pollSeconds} s`,
    `smoke: ${plan.smoke.length ? plan.smoke.map((s) => `${s.method} ${s.path} → ${s.expectStatus}`).join(', ') : 'none'}`,
  ];
  for (const p of plan.phases) {
    const gate = Object.entries(p.gate).map(([k, v]) => `${k} ≤ ${v}`);
    lines.push(`${p.index + 1}. ${p.name}`);
    lines.push(`     settings: ${Object.entries(p.settings).map(([k, v]) => `${k}=${v}`).join(' ') || '(none)'}`);
    lines.push(`     gate: health 2xx${p.smoke ? ', smoke statuses' : ''}, ${gate.join(', ')}`);
    lines.push(`     deadline ${p.deadlineSeconds} s, bake ${p.bakeSeconds} s${p.bakeSeconds ? ` (a sample every ${plan.sampleSeconds} s)` : ''}`);
  }
  return lines;
}
