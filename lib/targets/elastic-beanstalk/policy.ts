import type { ConfigurationOptionSetting } from '@aws-sdk/client-elastic-beanstalk';
import * as z from 'zod';
import type { ElasticBeanstalkTargetSpec } from '../../plan/target-schema.js';
import { TrafficStrategy, trafficSteps, type Traffic } from '../../plan/traffic-schema.js';
import type { InstanceOption } from './options.js';

/**
 * The deployment policy a rollout sets on Elastic Beanstalk (aws:elasticbeanstalk:command and,
 * for a canary, aws:elasticbeanstalk:trafficsplitting) and how the environment's own is put back.
 */
export const PolicyNamespace = {
  Command: 'aws:elasticbeanstalk:command',
  TrafficSplitting: 'aws:elasticbeanstalk:trafficsplitting',
} as const;

/** Every option the rollout may set, in this order; what readPolicy returns. */
export const POLICY_OPTIONS = [
  { namespace: PolicyNamespace.Command, name: 'DeploymentPolicy' },
  { namespace: PolicyNamespace.Command, name: 'BatchSizeType' },
  { namespace: PolicyNamespace.Command, name: 'BatchSize' },
  { namespace: PolicyNamespace.TrafficSplitting, name: 'NewVersionPercent' },
  { namespace: PolicyNamespace.TrafficSplitting, name: 'EvaluationTime' },
] as const;

/** Elastic Beanstalk's EvaluationTime: whole minutes, 3 to 600 (the option reference's valid values). */
export const EVALUATION_MINUTES = { min: 3, max: 600 } as const;

/** The policies whose deployments go in batches: the only ones BatchSize applies to. */
const BATCHED = new Set(['Rolling', 'RollingWithAdditionalBatch']);

/** The policy options of DescribeConfigurationSettings, each of POLICY_OPTIONS (null: not set). */
export function readPolicy(settings: ConfigurationOptionSetting[]): InstanceOption[] {
  return POLICY_OPTIONS.map(({ namespace, name }) => {
    const found = settings.find((s) => s.Namespace === namespace && s.OptionName === name);
    return { namespace, name, value: found?.Value !== undefined && found.Value !== '' ? found.Value : null };
  });
}

/** The policy a manifest asks for: from target.deploymentPolicy, or TrafficSplitting for a canary. */
function policyOf(spec: ElasticBeanstalkTargetSpec, traffic: Traffic | undefined): string | undefined {
  if (traffic?.strategy === TrafficStrategy.Canary) return 'TrafficSplitting';
  return spec.deploymentPolicy;
}

/** The options a phase's UpdateEnvironment sets for its deployment (empty: the environment's own policy applies). */
export function policyOptionsOf(spec: ElasticBeanstalkTargetSpec, traffic: Traffic | undefined): InstanceOption[] {
  const policy = policyOf(spec, traffic);
  if (!policy) return [];
  const out: InstanceOption[] = [{ namespace: PolicyNamespace.Command, name: 'DeploymentPolicy', value: policy }];
  if (spec.batchSize !== undefined && BATCHED.has(policy)) {
    out.push({ namespace: PolicyNamespace.Command, name: 'BatchSizeType', value: spec.batchSizeType ?? 'Percentage' });
    out.push({ namespace: PolicyNamespace.Command, name: 'BatchSize', value: String(spec.batchSize) });
  }
  if (policy === 'TrafficSplitting' && traffic?.strategy === TrafficStrategy.Canary) {
    out.push({ namespace: PolicyNamespace.TrafficSplitting, name: 'NewVersionPercent', value: String(trafficSteps(traffic)[0]) });
    out.push({ namespace: PolicyNamespace.TrafficSplitting, name: 'EvaluationTime', value: String(traffic.stepSeconds / 60) });
  }
  return out;
}

/** Every option any phase of the manifest sets: what a rollback or the end of the rollout puts back. */
export function touchedPolicy(spec: ElasticBeanstalkTargetSpec, traffics: (Traffic | undefined)[]): { namespace: string; name: string }[] {
  const all = traffics.flatMap((t) => policyOptionsOf(spec, t));
  return POLICY_OPTIONS.filter((o) => all.some((a) => a.namespace === o.namespace && a.name === o.name));
}

const policyStateSchema = z.object({
  policyOptions: z.array(z.object({ namespace: z.string(), name: z.string(), value: z.string().nullable() })),
});

/**
 * The environment's own policy, as the snapshot's release recorded it (its targetState), for the options `touched`.
 * A release recorded without it (before ml-rollout recorded policies) gets the options removed:
 * Elastic Beanstalk's defaults apply again.
 */
export function ownPolicy(targetState: unknown, touched: { namespace: string; name: string }[]): InstanceOption[] {
  const parsed = policyStateSchema.safeParse(targetState);
  return touched.map(({ namespace, name }) => {
    const recorded = parsed.success ? parsed.data.policyOptions.find((o) => o.namespace === namespace && o.name === name) : undefined;
    return { namespace, name, value: recorded?.value ?? null };
  });
}

/** A manifest problem: the field's path and one line naming the limit. */
export interface TrafficIssue {
  path: (string | number)[];
  message: string;
}

/**
 * What Elastic Beanstalk cannot do, found before any change: traffic splitting has one step
 * (NewVersionPercent) and an EvaluationTime in whole minutes from 3 to 600; there is no linear
 * shifting; BatchSize applies only to the batched policies. `where` is the traffic block's path.
 */
export function ebTrafficIssues(
  spec: ElasticBeanstalkTargetSpec,
  traffic: Traffic | undefined,
  where: (string | number)[],
): TrafficIssue[] {
  const issues: TrafficIssue[] = [];
  const policy = spec.deploymentPolicy;
  if (spec.batchSize !== undefined && !BATCHED.has(policy ?? '')) {
    issues.push({
      path: ['target', 'batchSize'],
      message: `batchSize applies to deploymentPolicy Rolling or RollingWithAdditionalBatch, not ${policy ?? "the environment's own policy"}`,
    });
  }
  if (spec.batchSizeType !== undefined && spec.batchSize === undefined) {
    issues.push({ path: ['target', 'batchSizeType'], message: 'batchSizeType needs a batchSize' });
  }
  if (spec.batchSizeType !== 'Fixed' && (spec.batchSize ?? 0) > 100) {
    issues.push({ path: ['target', 'batchSize'], message: 'a Percentage batchSize is 1 to 100 (use batchSizeType: Fixed for a count)' });
  }
  if (!traffic || traffic.strategy === TrafficStrategy.AllAtOnce) return issues;
  if (traffic.strategy === TrafficStrategy.Linear) {
    issues.push({
      path: [...where, 'strategy'],
      message:
        'Elastic Beanstalk has no linear traffic shifting: use strategy canary (traffic splitting) or target.deploymentPolicy Rolling',
    });
    return issues;
  }
  if (policy !== undefined && policy !== 'TrafficSplitting') {
    issues.push({
      path: ['target', 'deploymentPolicy'],
      message: `a canary on Elastic Beanstalk is deploymentPolicy TrafficSplitting, not ${policy}`,
    });
  }
  if ((traffic.steps?.length ?? 1) > 1) {
    issues.push({
      path: [...where, 'steps'],
      message: `Elastic Beanstalk's traffic splitting has one step (NewVersionPercent) before 100 %: give one, e.g. [${traffic.steps?.[0]}]`,
    });
  }
  const minutes = traffic.stepSeconds / 60;
  if (!Number.isInteger(minutes) || minutes < EVALUATION_MINUTES.min || minutes > EVALUATION_MINUTES.max) {
    issues.push({
      path: [...where, 'stepSeconds'],
      message:
        `Elastic Beanstalk's EvaluationTime is whole minutes from ${EVALUATION_MINUTES.min} to ${EVALUATION_MINUTES.max}: ` +
        `give ${EVALUATION_MINUTES.min * 60} to ${EVALUATION_MINUTES.max * 60} s in steps of 60, not ${traffic.stepSeconds}`,
    });
  }
  return issues;
}
