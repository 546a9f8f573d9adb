import * as z from 'zod';
import type { Plan, PlanPhase } from '../../plan/plan.js';
import type { EcsTargetSpec } from '../../plan/target-schema.js';

/** Container variables the target adds, so that current() can tell what serves. */
export const Variable = { Version: 'ML_ROLLOUT_VERSION', Digest: 'ML_ROLLOUT_DIGEST' } as const;

/** Tags on the service and on the task definitions the rollout registers. */
export const Tag = {
  /**
   * On the service: the task definition the latest apply or restore asked for. Another one
   * PRIMARY means the deployment circuit breaker rolled the service back (the Target interface's
   * probe knows no phase, hence a tag, as on SageMaker endpoints).
   */
  Expected: 'ml-rollout:expected-task-definition',
  /** On a registered task definition: the environment, version, digest and phase it was made for. */
  Environment: 'ml-rollout:environment',
  Version: 'ml-rollout:version',
  Digest: 'ml-rollout:digest',
  Phase: 'ml-rollout:phase',
} as const;

/** The tags a phase's task definition carries (history: registered revisions are never deleted). */
export function phaseTags(plan: Plan, phase: PlanPhase): { key: string; value: string }[] {
  return [
    { key: Tag.Environment, value: plan.environment },
    { key: Tag.Version, value: plan.version },
    { key: Tag.Digest, value: plan.digest },
    { key: Tag.Phase, value: phase.name },
  ];
}

/** "my-cluster" of "arn:aws:ecs:us-east-1:123456789012:cluster/my-cluster" (CloudWatch's ClusterName). */
export function clusterName(cluster: string): string {
  return cluster.startsWith('arn:') ? (cluster.split('/').pop() ?? cluster) : cluster;
}

/** "targetgroup/name/id" of a target group ARN: the TargetGroup dimension of AWS/ApplicationELB. */
export function targetGroupDimension(arn: string): string {
  const i = arn.indexOf(':targetgroup/');
  return i < 0 ? arn : arn.slice(i + 1);
}

/** "app/name/id" of a load balancer ARN: the LoadBalancer dimension of AWS/ApplicationELB. */
export function loadBalancerDimension(arn: string): string {
  const i = arn.indexOf(':loadbalancer/');
  return i < 0 ? arn : arn.slice(i + ':loadbalancer/'.length);
}

/** "task definition skin-api:7" of its ARN, for messages. */
export function shortTaskDefinition(arn: string): string {
  return arn.split('/').pop() ?? arn;
}

/** "service yoloflask-ecs-service of cluster image-processing-cluster (us-east-1)", for messages. */
export function serviceName(spec: EcsTargetSpec): string {
  return `service ${spec.service} of cluster ${clusterName(spec.cluster)} (${spec.region})`;
}

/** A Release's targetState as this target writes it. */
export interface EcsTargetState {
  taskDefinitionArn: string;
}

const targetStateSchema = z.object({ taskDefinitionArn: z.string().min(1) });

export function parseTargetState(state: unknown): EcsTargetState | null {
  const parsed = targetStateSchema.safeParse(state);
  return parsed.success ? parsed.data : null;
}
