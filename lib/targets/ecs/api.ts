import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  RegisterTaskDefinitionCommand,
  TagResourceCommand,
  UpdateServiceCommand,
  type RegisterTaskDefinitionCommandInput,
  type Service,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import {
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ModifyTargetGroupCommand,
  type ModifyTargetGroupCommandInput,
  type TargetGroup,
  type TargetHealthDescription,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { TargetError } from '../../errors.js';
import type { EcsTargetSpec } from '../../plan/target-schema.js';
import { aws } from '../../aws/errors.js';
import type { EcsClients } from './clients.js';
import { serviceName, shortTaskDefinition, Tag } from './names.js';

/** One service's clients and spec: what every call here needs. */
export interface EcsContext {
  clients: EcsClients;
  spec: EcsTargetSpec;
}

/** The service with its tags, or TargetError naming it when it does not exist (or is draining/inactive). */
export async function describeService(ctx: EcsContext): Promise<Service> {
  const { spec } = ctx;
  const out = await aws(`DescribeServices ${serviceName(spec)}`, () =>
    ctx.clients.ecs.send(new DescribeServicesCommand({ cluster: spec.cluster, services: [spec.service], include: ['TAGS'] })),
  );
  const service = out.services?.find((s) => s.serviceName === spec.service);
  if (service?.status === 'ACTIVE') return service;
  const reason = out.failures?.[0]?.reason ?? service?.status ?? 'MISSING';
  throw new TargetError(`ECS ${serviceName(spec)} not found (${reason}): create it first (ml-rollout deploys into an existing service)`);
}

export function serviceTag(service: Service, key: string): string | null {
  return service.tags?.find((t) => t.key === key)?.value ?? null;
}

/** A task definition with its tags. */
export async function describeTaskDefinition(
  ctx: EcsContext,
  arn: string,
): Promise<{ taskDefinition: TaskDefinition; tags: { key: string; value: string }[] }> {
  const out = await aws(`DescribeTaskDefinition ${shortTaskDefinition(arn)}`, () =>
    ctx.clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn, include: ['TAGS'] })),
  );
  if (!out.taskDefinition) throw new TargetError(`task definition ${shortTaskDefinition(arn)} not found`);
  const tags = (out.tags ?? []).flatMap((t) => (t.key !== undefined ? [{ key: t.key, value: t.value ?? '' }] : []));
  return { taskDefinition: out.taskDefinition, tags };
}

/** Registers a revision; returns its ARN. */
export async function registerTaskDefinition(ctx: EcsContext, input: RegisterTaskDefinitionCommandInput): Promise<string> {
  const out = await aws(`RegisterTaskDefinition ${input.family}`, () => ctx.clients.ecs.send(new RegisterTaskDefinitionCommand(input)));
  const arn = out.taskDefinition?.taskDefinitionArn;
  if (!arn) throw new TargetError(`RegisterTaskDefinition ${input.family} answered no task definition ARN`);
  return arn;
}

/** Records on the service which task definition the rollout expects to be PRIMARY. */
export async function tagExpected(ctx: EcsContext, service: Service, arn: string): Promise<void> {
  if (serviceTag(service, Tag.Expected) === arn) return;
  await aws(`TagResource ${serviceName(ctx.spec)}`, () =>
    ctx.clients.ecs.send(new TagResourceCommand({ resourceArn: service.serviceArn, tags: [{ key: Tag.Expected, value: arn }] })),
  );
}

/**
 * Starts a deployment of `arn`: the service's own minimum/maximum percent kept, the deployment
 * circuit breaker on. `rollback` lets ECS put the previous deployment back by itself when the new
 * tasks never become healthy (a phase); a restore turns it off, so that a failing restore is
 * reported as such rather than replaced by the very version being rolled back.
 */
export async function updateService(ctx: EcsContext, service: Service, arn: string, rollback: boolean): Promise<void> {
  const { spec } = ctx;
  const current = service.deploymentConfiguration;
  await aws(`UpdateService ${serviceName(spec)} to ${shortTaskDefinition(arn)}`, () =>
    ctx.clients.ecs.send(
      new UpdateServiceCommand({
        cluster: spec.cluster,
        service: spec.service,
        taskDefinition: arn,
        deploymentConfiguration: {
          ...(current?.maximumPercent !== undefined ? { maximumPercent: current.maximumPercent } : {}),
          ...(current?.minimumHealthyPercent !== undefined ? { minimumHealthyPercent: current.minimumHealthyPercent } : {}),
          deploymentCircuitBreaker: { enable: true, rollback },
        },
      }),
    ),
  );
}

/** The target group the service's container registers with: the manifest's, else the service's. */
export function targetGroupOf(spec: EcsTargetSpec, service: Service): string {
  if (spec.targetGroupArn) return spec.targetGroupArn;
  const lbs = service.loadBalancers ?? [];
  const arn = (lbs.find((lb) => lb.containerName === spec.containerName) ?? lbs[0])?.targetGroupArn;
  if (!arn) throw new TargetError(`${serviceName(spec)} is behind no load balancer target group: name one in target.targetGroupArn`);
  return arn;
}

export async function describeTargetGroup(ctx: EcsContext, arn: string): Promise<TargetGroup> {
  const out = await aws(`DescribeTargetGroups ${arn}`, () =>
    ctx.clients.elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [arn] })),
  );
  const group = out.TargetGroups?.[0];
  if (!group) throw new TargetError(`target group ${arn} not found`);
  return group;
}

export async function modifyTargetGroup(ctx: EcsContext, input: ModifyTargetGroupCommandInput): Promise<void> {
  await aws(`ModifyTargetGroup ${input.TargetGroupArn}`, () => ctx.clients.elb.send(new ModifyTargetGroupCommand(input)));
}

export async function describeTargetHealth(ctx: EcsContext, arn: string): Promise<TargetHealthDescription[]> {
  const out = await aws(`DescribeTargetHealth ${arn}`, () =>
    ctx.clients.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn })),
  );
  return out.TargetHealthDescriptions ?? [];
}

/** The DNS name of the load balancer in front of the target group. */
export async function loadBalancerDns(ctx: EcsContext, group: TargetGroup): Promise<string> {
  const arn = group.LoadBalancerArns?.[0];
  if (!arn) throw new TargetError(`target group ${group.TargetGroupArn} is attached to no load balancer: give target.url`);
  const out = await aws(`DescribeLoadBalancers ${arn}`, () =>
    ctx.clients.elb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [arn] })),
  );
  const dns = out.LoadBalancers?.[0]?.DNSName;
  if (!dns) throw new TargetError(`load balancer ${arn} has no DNS name: give target.url`);
  return dns;
}
