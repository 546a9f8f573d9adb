import { DescribeInstancesHealthCommand, type EnvironmentDescription } from '@aws-sdk/client-elastic-beanstalk';
import type { Plan, PlanPhase } from '../../plan/plan.js';
import { TrafficStrategy, trafficSteps } from '../../plan/traffic-schema.js';
import { aws } from '../aws-errors.js';
import { ProbeState, type Probe } from '../types.js';
import type { EbContext } from './api.js';
import { diffConfig, type InstanceOption, type OptionChanges } from './options.js';
import { ownPolicy, POLICY_OPTIONS, policyOptionsOf, touchedPolicy } from './policy.js';

/**
 * Elastic Beanstalk's traffic splitting as the state machine sees it: a canary phase's update
 * launches a full set of new instances, sends NewVersionPercent of the requests to them for
 * EvaluationTime, then all. The gate samples during that evaluation (the probe calls the phase
 * stable once the new instances are healthy); a failed gate takes the rollback path, whose
 * restore aborts the update (AbortEnvironmentUpdate) so that Elastic Beanstalk moves the traffic back.
 */

/** Does the phase deploy with traffic splitting? */
export function isCanary(phase: PlanPhase | undefined): boolean {
  return phase?.traffic?.strategy === TrafficStrategy.Canary;
}

/** The canary's share of the requests, % (the first step). */
export function canaryPercent(phase: PlanPhase): number {
  return trafficSteps(phase.traffic)[0] ?? 100;
}

/** The changes that take the policy options from `current` to `want` (only those that differ). */
export function policyChanges(current: InstanceOption[], want: InstanceOption[]): OptionChanges {
  return diffConfig({ environmentVariables: {}, instanceOptions: current }, { environmentVariables: {}, instanceOptions: want });
}

export function mergeChanges(a: OptionChanges, b: OptionChanges): OptionChanges {
  return { OptionSettings: [...a.OptionSettings, ...b.OptionSettings], OptionsToRemove: [...a.OptionsToRemove, ...b.OptionsToRemove] };
}

/** What a phase's UpdateEnvironment sets of the policy (from the manifest's deploymentPolicy and the phase's traffic). */
export function phasePolicy(ctx: EbContext, phase: PlanPhase): InstanceOption[] {
  return policyOptionsOf(ctx.spec, phase.traffic);
}

/** The environment's own policy for every option this rollout touches, from the release a rollback or the end puts back. */
export function ownPolicyOf(ctx: EbContext, plan: Plan, targetState: unknown): InstanceOption[] {
  return ownPolicy(
    targetState,
    touchedPolicy(
      ctx.spec,
      plan.phases.map((p) => p.traffic),
    ),
  );
}

/** What the new known-good records of the policy: the own values of the touched options, the rest as the environment has them. */
export function recordedPolicy(own: InstanceOption[], current: InstanceOption[]): InstanceOption[] {
  return POLICY_OPTIONS.map(({ namespace, name }) => {
    const o = own.find((x) => x.namespace === namespace && x.name === name);
    return o ?? current.find((x) => x.namespace === namespace && x.name === name) ?? { namespace, name, value: null };
  });
}

/** How many instances run `label` and are healthy, of how many: the canary's fleet during an evaluation. */
export async function canaryFleet(ctx: EbContext, label: string): Promise<{ healthy: number; total: number }> {
  const out = await aws(`DescribeInstancesHealth of environment ${ctx.spec.environment}`, () =>
    ctx.clients.eb.send(
      new DescribeInstancesHealthCommand({
        EnvironmentName: ctx.spec.environment,
        AttributeNames: ['Deployment', 'HealthStatus', 'Color'],
      }),
    ),
  );
  const list = out.InstanceHealthList ?? [];
  const healthy = list.filter((i) => i.Deployment?.VersionLabel === label && (i.Color === 'Green' || i.HealthStatus === 'Ok')).length;
  return { healthy, total: list.length };
}

/**
 * A canary phase's probe while Elastic Beanstalk is updating: stable once new instances on `label`
 * are healthy beside the old ones (the evaluation runs: the gate samples now); null otherwise
 * (launching, or a property update): the phase's usual probe decides. `env` names the environment.
 */
export function decideEvaluation(
  env: EnvironmentDescription,
  label: string,
  percent: number,
  fleet: { healthy: number; total: number },
): Probe | null {
  // The old instances still serve beside the new ones: that is the evaluation, not a property update.
  if (fleet.healthy > 0 && fleet.healthy < fleet.total) {
    return {
      state: ProbeState.Stable,
      detail: `${env.EnvironmentName}: traffic splitting, ${percent} % of requests on ${label} (${fleet.healthy} healthy new instance${fleet.healthy > 1 ? 's' : ''}), evaluating`,
    };
  }
  return null;
}

/** The canary's phase: the one this rollout deploys with traffic splitting while the environment updates (the first such phase). */
export function canaryPhase(plan: Plan): PlanPhase | undefined {
  return plan.phases.find(isCanary);
}
