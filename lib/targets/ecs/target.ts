import type { Service } from '@aws-sdk/client-ecs';
import type { Clock } from '../../clock.js';
import { RollbackFailedError, TargetError } from '../../errors.js';
import type { RequestResult, Sample } from '../../gates/sample.js';
import { assertTaskMemory } from '../../plan/capacity.js';
import type { Plan, PlanPhase } from '../../plan/plan.js';
import { TargetType, type EcsTargetSpec } from '../../plan/target-schema.js';
import type { Release } from '../../state/types.js';
import { cpuOverWindow } from '../aws-metrics.js';
import { checkHealth, sendRequest } from '../http.js';
import { gateRequests } from '../../gates/gate-requests.js';
import { ProbeState, type Deployment, type Probe, type Target } from '../types.js';
import {
  describeService,
  describeTargetGroup,
  describeTargetHealth,
  describeTaskDefinition,
  loadBalancerDns,
  modifyTargetGroup,
  registerTaskDefinition,
  serviceTag,
  tagExpected,
  targetGroupOf,
  updateService,
  type EcsContext,
} from './api.js';
import { defaultEcsClients, type EcsClients } from './clients.js';
import { decideService, primaryDeployment, primaryTaskDefinition, readyForTargetHealth } from './decide.js';
import { describeChanges, healthCheckChanges, modifyInput } from './health-check.js';
import { measureService } from './measure.js';
import { metricsSince } from '../aws-metrics.js';
import { parseTargetState, phaseTags, serviceName, shortTaskDefinition, Tag, Variable } from './names.js';
import { environmentOf, nextRevision, satisfies, serviceContainer, taskMemoryMib, wantedVariables } from './revision.js';

export interface EcsTargetDeps {
  clock: Clock;
  /** Clients of a region; default: one set per region for the process. */
  clients?: (region: string) => EcsClients;
}

/**
 * An existing ECS service behind an Application Load Balancer. Each phase is a revision of the
 * serving task definition (the manifest's image, the phase's settings in the container's
 * environment) and one UpdateService to it with the deployment circuit breaker on; a rollback
 * updates the service back to the snapshot's task definition. Nothing here waits.
 */
export class EcsTarget implements Target {
  readonly type = TargetType.Ecs;

  constructor(private readonly deps: EcsTargetDeps) {}

  private ctx(plan: Plan): EcsContext {
    if (plan.target.type !== TargetType.Ecs) throw new TargetError(`not an ecs target: ${plan.target.type}`);
    const spec: EcsTargetSpec = plan.target;
    return { spec, clients: (this.deps.clients ?? defaultEcsClients)(spec.region) };
  }

  async current(plan: Plan): Promise<Deployment | null> {
    const ctx = this.ctx(plan);
    const service = await describeService(ctx);
    const arn = primaryTaskDefinition(service);
    if (!arn) return null;
    const { taskDefinition } = await describeTaskDefinition(ctx, arn);
    const env = environmentOf(serviceContainer(taskDefinition, ctx.spec));
    const { [Variable.Version]: version, [Variable.Digest]: digest, ...settings } = env;
    return {
      version: version ?? shortTaskDefinition(arn),
      digest: digest ?? '',
      url: ctx.spec.url ?? null,
      settings,
      targetState: { taskDefinitionArn: arn },
    };
  }

  async apply(plan: Plan, phase: PlanPhase): Promise<Deployment> {
    const ctx = this.ctx(plan);
    const service = await describeService(ctx);
    const servingArn = primaryTaskDefinition(service);
    if (!servingArn) throw new TargetError(`${serviceName(ctx.spec)} runs no task definition to derive the new one from`);
    const { taskDefinition, tags } = await describeTaskDefinition(ctx, servingArn);
    const container = serviceContainer(taskDefinition, ctx.spec);
    const notes: string[] = [];
    if (phase.index === 0) {
      // The capacity preflight, then the target group's health check: both before the first change.
      assertTaskMemory(plan.capacity, taskMemoryMib(taskDefinition, ctx.spec), `task definition ${shortTaskDefinition(servingArn)}`);
      const note = await this.adjustHealthCheck(ctx, service);
      if (note) notes.push(note);
    }
    const variables = wantedVariables(phase.settings, plan);
    // A phase that changes nothing (or a retried apply) finds the serving revision already right.
    const arn = satisfies(container, ctx.spec.image, variables)
      ? servingArn
      : ((await this.registeredBefore(ctx, service, servingArn, variables)) ??
        (await registerTaskDefinition(ctx, nextRevision(taskDefinition, tags, ctx.spec, variables, phaseTags(plan, phase)))));
    await tagExpected(ctx, service, arn);
    if (arn !== servingArn) await updateService(ctx, service, arn, true);
    return {
      version: plan.version,
      digest: plan.digest,
      // Where the proxy and `status` reach the service.
      url: ctx.spec.url ?? `http://${await loadBalancerDns(ctx, await describeTargetGroup(ctx, targetGroupOf(ctx.spec, service)))}`,
      settings: phase.settings,
      targetState: { taskDefinitionArn: arn },
      ...(notes.length ? { notes } : {}),
    };
  }

  async probe(plan: Plan): Promise<Probe> {
    const ctx = this.ctx(plan);
    const service = await describeService(ctx);
    return this.decide(ctx, service, serviceTag(service, Tag.Expected));
  }

  async sample(plan: Plan, phase: PlanPhase, cursor: Record<string, unknown> | null): Promise<Sample> {
    const ctx = this.ctx(plan);
    const service = await describeService(ctx);
    const expected = serviceTag(service, Tag.Expected);
    const group = await describeTargetGroup(ctx, targetGroupOf(ctx.spec, service));
    const base = new URL(ctx.spec.url ?? `http://${await loadBalancerDns(ctx, group)}`);
    // A path prefix in the URL (a listener rule's /yoloapi) is kept in front of every request's path.
    const prefix = base.pathname.replace(/\/+$/, '');
    const http = await checkHealth(base.origin, `${prefix}${plan.health.path}`, plan.health.timeoutMs);
    const requests: RequestResult[] = [];
    if (phase.smoke) {
      const timeoutMs = Math.max(phase.gate.inferenceMs * 2, 1_000);
      for (const { request: s, ref } of gateRequests(plan)) {
        requests.push(await sendRequest(base.origin, { ...s, path: `${prefix}${s.path}` }, timeoutMs, ref));
      }
    }
    const at = this.deps.clock.now();
    // Only datapoints from the moment the phase became stable (the window's first sample) count.
    const since = metricsSince(cursor, at);
    const measured = await measureService(
      ctx.clients.cw,
      ctx.spec,
      { targetGroupArn: group.TargetGroupArn ?? '', loadBalancerArn: group.LoadBalancerArns?.[0] ?? null },
      at,
      since,
    );
    const cpu = cpuOverWindow(cursor, measured.cpuPercent);
    return {
      at,
      health: servingExpected(http, service, expected),
      requests,
      cpuPercent: cpu.cpuPercent,
      memoryPercent: measured.memoryPercent,
      // No fresh datapoint yet: null (inconclusive until the window closes), not the smoke requests' figure.
      metrics: { p95LatencyMs: measured.metrics.p95LatencyMs ?? null, errorRatePercent: measured.metrics.errorRatePercent ?? null },
      metricsSince: since,
      cursor: { ...cpu.cursor, metricsSince: since },
    };
  }

  async restore(plan: Plan, release: Release | null): Promise<Deployment | null> {
    const ctx = this.ctx(plan);
    const want = wantedTaskDefinition(ctx.spec, release);
    const service = await describeService(ctx);
    await this.reconcile(ctx, service, want);
    return {
      version: release?.version ?? '',
      digest: release?.digest ?? '',
      url: ctx.spec.url ?? null,
      settings: release?.settings ?? {},
      targetState: { taskDefinitionArn: want },
    };
  }

  /** Read-only (for `status`): the service as it runs now, its PRIMARY deployment being what is expected. */
  async health(plan: Plan): Promise<Probe> {
    const ctx = this.ctx(plan);
    const service = await describeService(ctx);
    return this.decide(ctx, service, primaryTaskDefinition(service));
  }

  async probeRestored(plan: Plan, release: Release | null): Promise<Probe> {
    const ctx = this.ctx(plan);
    const want = wantedTaskDefinition(ctx.spec, release);
    const service = await describeService(ctx);
    if (await this.reconcile(ctx, service, want))
      return { state: ProbeState.Pending, detail: `restoring ${serviceName(ctx.spec)} to ${shortTaskDefinition(want)}` };
    return this.decide(ctx, service, want);
  }

  private async decide(ctx: EcsContext, service: Service, expected: string | null): Promise<Probe> {
    const targets = readyForTargetHealth(service, expected) ? await describeTargetHealth(ctx, targetGroupOf(ctx.spec, service)) : null;
    return decideService(service, expected, targets);
  }

  /**
   * Starts the deployment back to `want` unless the service's PRIMARY deployment already runs it
   * (the circuit breaker may have put it back already); true when it started one.
   */
  private async reconcile(ctx: EcsContext, service: Service, want: string): Promise<boolean> {
    await tagExpected(ctx, service, want);
    const primary = primaryDeployment(service);
    if (primaryTaskDefinition(service) === want && primary?.rolloutState !== 'FAILED') return false;
    await updateService(ctx, service, want, false);
    return true;
  }

  /**
   * The revision a previous attempt of this apply registered and tagged as expected, but never
   * got the service onto (its UpdateService failed): reused, so that a retry registers nothing new.
   */
  private async registeredBefore(
    ctx: EcsContext,
    service: Service,
    servingArn: string,
    variables: Record<string, string>,
  ): Promise<string | null> {
    const tagged = serviceTag(service, Tag.Expected);
    if (!tagged || tagged === servingArn) return null;
    const { taskDefinition } = await describeTaskDefinition(ctx, tagged);
    const container = taskDefinition.containerDefinitions?.find((c) => c.name === ctx.spec.containerName);
    return container && satisfies(container, ctx.spec.image, variables) ? tagged : null;
  }

  /** The manifest's health check applied to the target group where it differs; the line for the record, or null. */
  private async adjustHealthCheck(ctx: EcsContext, service: Service): Promise<string | null> {
    if (!ctx.spec.healthCheck) return null;
    const arn = targetGroupOf(ctx.spec, service);
    const changes = healthCheckChanges(await describeTargetGroup(ctx, arn), ctx.spec.healthCheck);
    if (changes.length === 0) return null;
    await modifyTargetGroup(ctx, modifyInput(arn, changes));
    return describeChanges(arn, changes);
  }
}

function wantedTaskDefinition(spec: EcsTargetSpec, release: Release | null): string {
  if (!release) {
    throw new RollbackFailedError(
      `no known-good release of ${spec.environment} to restore, and ml-rollout does not stop an ECS service it did not create: ` +
        `update ${spec.service} to a known-good task definition by hand`,
    );
  }
  const state = parseTargetState(release.targetState);
  if (!state) throw new RollbackFailedError(`release ${release.version} records no ECS task definition to restore`);
  return state.taskDefinitionArn;
}

/** The gate's health check also fails when the service no longer runs this phase's task definition (a circuit-breaker rollback). */
function servingExpected(http: RequestResult, service: Service, expected: string | null): RequestResult {
  const serving = primaryTaskDefinition(service);
  if (expected !== null && serving === expected) return http;
  return {
    ...http,
    status: null,
    ok: false,
    error: `serves ${shortTaskDefinition(serving ?? 'none')}, not ${shortTaskDefinition(expected ?? 'none')}`,
  };
}
