import { accumulate } from '../../../lib/gates/bake.js';
import { evaluate } from '../../../lib/gates/evaluate.js';
import type { Verdict } from '../../../lib/gates/verdict.js';
import type { Plan, PlanPhase } from '../../../lib/plan/plan.js';
import type { Release } from '../../../lib/state/types.js';
import type { Sample } from '../../../lib/gates/sample.js';
import { ProbeState, type Deployment, type Probe, type Target } from '../../../lib/targets/types.js';

interface Clock {
  advance(ms: number): number;
}

/** Probes the way CheckStable → Wait → CheckStable does, until stable or failed (at most `maxPolls`). */
export async function untilSettled(probe: () => Promise<Probe>, clock: Clock, pollSeconds: number, maxPolls = 20): Promise<Probe[]> {
  const seen: Probe[] = [];
  for (let i = 0; i < maxPolls; i++) {
    const p = await probe();
    seen.push(p);
    if (p.state !== ProbeState.Pending) return seen;
    clock.advance(pollSeconds * 1000);
  }
  return seen;
}

export interface PhaseOutcome {
  deployment: Deployment;
  probes: Probe[];
  sample: Sample;
  verdict: Verdict;
}

/** One phase as the state machine runs it: ApplyPhase, CheckStable until stable, one SampleGate judged as a complete window. */
export async function runPhase(target: Target, plan: Plan, phase: PlanPhase, clock: Clock): Promise<PhaseOutcome> {
  const deployment = await target.apply(plan, phase);
  clock.advance(plan.pollSeconds * 1000);
  const probes = await untilSettled(() => target.probe(plan), clock, plan.pollSeconds);
  if (probes.at(-1)?.state !== ProbeState.Stable) throw new Error(`${phase.name} did not become stable: ${probes.at(-1)?.detail}`);
  const sample = await target.sample(plan, phase, null);
  const verdict = evaluate(accumulate(null, sample, phase), phase, true);
  return { deployment, probes, sample, verdict };
}

/** Phases 0..last, stopping at the first failed gate (as the state machine does). */
export async function runPhases(target: Target, plan: Plan, clock: Clock, last = plan.phases.length - 1): Promise<PhaseOutcome[]> {
  const out: PhaseOutcome[] = [];
  for (const phase of plan.phases.slice(0, last + 1)) {
    const o = await runPhase(target, plan, phase, clock);
    out.push(o);
    if (!o.verdict.passed) break;
  }
  return out;
}

/** RestoreSnapshot, then VerifyRestore until stable or failed. */
export async function runRestore(target: Target, plan: Plan, release: Release | null, clock: Clock): Promise<Probe[]> {
  await target.restore(plan, release);
  clock.advance(plan.pollSeconds * 1000);
  return untilSettled(() => target.probeRestored(plan, release), clock, plan.pollSeconds);
}

/** The known-good release TakeSnapshot hands to a rollback, made from what the target reports. */
export function releaseOf(plan: Plan, d: Deployment): Release {
  return {
    name: plan.name,
    version: d.version,
    digest: d.digest,
    source: { kind: 's3', bucket: 'skin-bundles', key: `old/${d.version}.zip` },
    settings: d.settings,
    ...(d.targetState ? { targetState: d.targetState } : {}),
  };
}

/** Command names in call order, e.g. ["DescribeEnvironments", "UpdateEnvironment"]. */
export function commandNames(stub: { calls(): { args: unknown[] }[] }): string[] {
  return stub.calls().map((c) => (c.args[0] as object).constructor.name.replace(/Command$/, ''));
}
