import type { Clock } from '../../clock.js';
import { RollbackFailedError, TargetError, TransientError } from '../../errors.js';
import type { Plan, PlanPhase } from '../../plan/plan.js';
import { TargetType, type SageMakerTargetSpec } from '../../plan/target-schema.js';
import type { Release } from '../../state/types.js';
import { cpuOverWindow } from '../aws-metrics.js';
import type { RequestResult, Sample } from '../../gates/sample.js';
import { ProbeState, type Deployment, type Probe, type Target } from '../types.js';
import {
  configEnvironment,
  createEndpoint,
  createEndpointConfig,
  createModel,
  deleteEndpoint,
  describeEndpoint,
  endpointTags,
  tagExpected,
  updateEndpoint,
  type Endpoint,
  type SageMakerContext,
} from './api.js';
import { defaultSageMakerClients, type SageMakerClients } from './clients.js';
import { BUSY, decideEndpoint } from './decide.js';
import { invokeSmoke } from './invoke.js';
import { gateRequests } from '../../gates/gate-requests.js';
import { measureEndpoint } from './measure.js';
import { metricsSince } from '../aws-metrics.js';
import { createdBy, parseTargetState, resourceName, Tag, Variable } from './names.js';
import { decideShift, deleteRollbackAlarm, isStepped, putRollbackAlarm, shifting, steppedPhaseOf, triggerRollback } from './traffic.js';

export interface SageMakerTargetDeps {
  clock: Clock;
  /** Clients of a region; default: one set per region for the process. */
  clients?: (region: string) => SageMakerClients;
}

/**
 * A SageMaker real-time endpoint. Each phase is a model + endpoint config of deterministic name,
 * deployed blue/green by UpdateEndpoint (CreateEndpoint the first time); a rollback updates the
 * endpoint back to the known-good release's endpoint config.
 */
export class SageMakerTarget implements Target {
  readonly type = TargetType.SageMaker;

  constructor(private readonly deps: SageMakerTargetDeps) {}

  private ctx(plan: Plan): SageMakerContext {
    if (plan.target.type !== TargetType.SageMaker) throw new TargetError(`not a sagemaker target: ${plan.target.type}`);
    const spec: SageMakerTargetSpec = plan.target;
    return { spec, clients: (this.deps.clients ?? defaultSageMakerClients)(spec.region) };
  }

  async current(plan: Plan): Promise<Deployment | null> {
    const ctx = this.ctx(plan);
    const ep = await describeEndpoint(ctx);
    if (!ep?.EndpointConfigName) return null;
    const env = await configEnvironment(ctx, ep.EndpointConfigName);
    const { [Variable.Version]: version, [Variable.Digest]: digest, ...settings } = env;
    return {
      version: version ?? ep.EndpointConfigName,
      digest: digest ?? '',
      url: null,
      settings,
      targetState: { endpointConfigName: ep.EndpointConfigName },
    };
  }

  async apply(plan: Plan, phase: PlanPhase): Promise<Deployment> {
    const ctx = this.ctx(plan);
    const name = resourceName(plan, phase, ctx.spec);
    const result: Deployment = {
      version: plan.version,
      digest: plan.digest,
      url: null,
      settings: phase.settings,
      targetState: { endpointConfigName: name },
    };
    const ep = await describeEndpoint(ctx);
    if (ep) {
      // A retried task whose update already started, or a phase that changes nothing: no new fleet.
      if (ep.PendingDeploymentSummary?.EndpointConfigName === name) return result;
      if (ep.EndpointConfigName === name && ep.EndpointStatus === 'InService') {
        await tagExpected(ctx, ep.EndpointArn ?? '', name);
        return result;
      }
      if (BUSY.has(ep.EndpointStatus ?? '')) {
        throw new TransientError(`endpoint ${ctx.spec.endpoint} is ${ep.EndpointStatus}: ${phase.name} starts once it is InService`);
      }
    }
    await createModel(ctx, plan, phase, name);
    await createEndpointConfig(ctx, name);
    if (!ep) {
      await createEndpoint(ctx, plan, name);
      return result;
    }
    await tagExpected(ctx, ep.EndpointArn ?? '', name);
    if (isStepped(phase)) await putRollbackAlarm(ctx.clients, ctx.spec);
    await updateEndpoint(ctx, name, phase);
    return result;
  }

  async probe(plan: Plan): Promise<Probe> {
    const ctx = this.ctx(plan);
    const ep = await describeEndpoint(ctx);
    const pending = ep?.PendingDeploymentSummary?.EndpointConfigName;
    const stepped = steppedPhaseOf(plan, ctx.spec, pending);
    const shift = stepped && pending ? decideShift(ep, stepped, pending) : null;
    if (shift) return shift;
    if (ep?.EndpointStatus !== 'InService') return decideEndpoint(ep, null);
    const tags = await endpointTags(ctx, ep.EndpointArn ?? '');
    return decideEndpoint(ep, tags[Tag.Expected] ?? null);
  }

  async sample(plan: Plan, phase: PlanPhase, cursor: Record<string, unknown> | null): Promise<Sample> {
    const ctx = this.ctx(plan);
    const started = performance.now();
    const ep = await describeEndpoint(ctx);
    const expected = resourceName(plan, phase, ctx.spec);
    // During a canary or linear shift the new fleet serves its share: healthy, and the window stays open until it is done.
    const midShift = isStepped(phase) && shifting(ep, expected);
    const health = midShift
      ? {
          label: `endpoint ${ctx.spec.endpoint}`,
          status: null,
          expectStatus: 200,
          latencyMs: round1(performance.now() - started),
          ok: true,
        }
      : endpointHealth(ctx.spec, ep, expected, performance.now() - started);
    const requests: RequestResult[] = [];
    if (phase.smoke) {
      const timeoutMs = Math.max(phase.gate.inferenceMs * 2, 1_000);
      for (const { request: s, ref } of gateRequests(plan))
        requests.push(await invokeSmoke(ctx.clients, ctx.spec.endpoint, s, timeoutMs, ref));
    }
    const at = this.deps.clock.now();
    // Only datapoints from the moment the phase became stable (the window's first sample) count.
    const since = metricsSince(cursor, at);
    const measured = await measureEndpoint(ctx.clients.cw, ctx.spec, at, since);
    const cpu = cpuOverWindow(cursor, measured.cpuPercent);
    return {
      at,
      health,
      requests,
      cpuPercent: cpu.cpuPercent,
      memoryPercent: measured.memoryPercent,
      // No fresh datapoint yet: null (inconclusive until the window closes), not the smoke requests' figure.
      metrics: { p95LatencyMs: measured.metrics.p95LatencyMs ?? null, errorRatePercent: measured.metrics.errorRatePercent ?? null },
      metricsSince: since,
      cursor: { ...cpu.cursor, metricsSince: since },
      ...(isStepped(phase) ? { settled: !midShift && ep?.EndpointStatus === 'InService' && ep.EndpointConfigName === expected } : {}),
    };
  }

  async restore(plan: Plan, release: Release | null): Promise<Deployment | null> {
    const ctx = this.ctx(plan);
    const ep = await describeEndpoint(ctx);
    if (!release) {
      if (ep) await this.removeOwnEndpoint(ctx, plan, ep);
      return null;
    }
    const want = wantedConfig(release);
    if (!ep) throw new RollbackFailedError(`endpoint ${ctx.spec.endpoint} no longer exists: cannot restore ${want}`);
    // A canary or linear shift of this rollout still running: SageMaker cannot be told to stop, but its alarm can fire.
    if (ep.EndpointStatus === 'Updating' && steppedPhaseOf(plan, ctx.spec, ep.PendingDeploymentSummary?.EndpointConfigName)) {
      await triggerRollback(ctx.clients, ctx.spec, `ml-rollout: rollout of ${plan.version} failed during the traffic shift; rolling back`);
    }
    await this.reconcile(ctx, ep, want);
    return {
      version: release.version,
      digest: release.digest,
      url: null,
      settings: release.settings,
      targetState: { endpointConfigName: want },
    };
  }

  async health(plan: Plan): Promise<Probe> {
    const ep = await describeEndpoint(this.ctx(plan));
    // Whatever config it serves is what status asks about: InService on it is healthy.
    return decideEndpoint(ep, ep?.EndpointConfigName ?? null);
  }

  async probeRestored(plan: Plan, release: Release | null): Promise<Probe> {
    const ctx = this.ctx(plan);
    const ep = await describeEndpoint(ctx);
    if (!release) {
      if (!ep) return { state: ProbeState.Stable, detail: `endpoint ${ctx.spec.endpoint} deleted` };
      await this.removeOwnEndpoint(ctx, plan, ep);
      return { state: ProbeState.Pending, detail: `endpoint ${ctx.spec.endpoint} is ${ep.EndpointStatus}: deleting it` };
    }
    const want = wantedConfig(release);
    if (!ep) return { state: ProbeState.Failed, detail: `endpoint ${ctx.spec.endpoint} no longer exists` };
    if (ep.EndpointStatus === 'InService' && ep.EndpointConfigName === want) {
      if (plan.phases.some(isStepped)) await deleteRollbackAlarm(ctx.clients, ctx.spec);
      return { state: ProbeState.Stable, detail: `endpoint ${ctx.spec.endpoint} InService on ${want}` };
    }
    if (await this.reconcile(ctx, ep, want))
      return { state: ProbeState.Pending, detail: `restoring endpoint ${ctx.spec.endpoint} to ${want}` };
    // SageMaker rolling a failed shift back (the rollout's alarm fired) is the restore under way, not a failure.
    if (ep.EndpointStatus === 'RollingBack')
      return { state: ProbeState.Pending, detail: `SageMaker is rolling endpoint ${ctx.spec.endpoint} back` };
    return decideEndpoint(ep, want);
  }

  /** Every gate passed: the rollout's own alarm goes (nothing else was set for the rollout only). */
  async finish(plan: Plan): Promise<Record<string, unknown>> {
    const ctx = this.ctx(plan);
    if (plan.phases.some(isStepped)) await deleteRollbackAlarm(ctx.clients, ctx.spec);
    return {};
  }

  /**
   * Starts the update back to `want` when the endpoint can take one and serves something else;
   * true when it did. A busy endpoint (still deploying the failed phase) is left to finish: the
   * verification polls call this again until it can.
   */
  private async reconcile(ctx: SageMakerContext, ep: Endpoint, want: string): Promise<boolean> {
    if (BUSY.has(ep.EndpointStatus ?? '') || ep.EndpointConfigName === want) return false;
    await tagExpected(ctx, ep.EndpointArn ?? '', want);
    await updateEndpoint(ctx, want, null);
    return true;
  }

  /**
   * A first deployment's rollback: "stopped" is the endpoint gone, but only an endpoint this very
   * rollout created is deleted. One that served before is left alone: without a known-good
   * release nothing says what it served.
   */
  private async removeOwnEndpoint(ctx: SageMakerContext, plan: Plan, ep: Endpoint): Promise<void> {
    const tags = await endpointTags(ctx, ep.EndpointArn ?? '');
    if (tags[Tag.CreatedBy] !== createdBy(plan)) {
      throw new RollbackFailedError(
        `no known-good release of ${plan.environment} to restore, and endpoint ${ctx.spec.endpoint} existed before this rollout: ` +
          `left on ${ep.EndpointConfigName}; update it to a known-good endpoint config by hand`,
      );
    }
    if (!BUSY.has(ep.EndpointStatus ?? '')) await deleteEndpoint(ctx);
  }
}

function round1(ms: number): number {
  return Math.round(ms * 10) / 10;
}

function wantedConfig(release: Release): string {
  const state = parseTargetState(release.targetState);
  if (!state) throw new RollbackFailedError(`release ${release.version} records no SageMaker endpoint config to restore`);
  return state.endpointConfigName;
}

/** The gate's health check on SageMaker: the endpoint InService on this phase's config (no HTTP health route exists). */
function endpointHealth(spec: SageMakerTargetSpec, ep: Endpoint | null, expected: string, latencyMs: number): RequestResult {
  const label = `endpoint ${spec.endpoint}`;
  const base = { label, status: null, expectStatus: 200, latencyMs: Math.round(latencyMs * 10) / 10 };
  if (!ep) return { ...base, ok: false, error: 'the endpoint does not exist' };
  if (ep.EndpointStatus !== 'InService') return { ...base, ok: false, error: `EndpointStatus ${ep.EndpointStatus}` };
  if (ep.EndpointConfigName !== expected) return { ...base, ok: false, error: `serves ${ep.EndpointConfigName}, not ${expected}` };
  return { ...base, ok: true };
}
