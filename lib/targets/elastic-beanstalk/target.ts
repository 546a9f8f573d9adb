import type { EnvironmentDescription } from '@aws-sdk/client-elastic-beanstalk';
import type { Clock } from '../../clock.js';
import { PhaseFailedError, RollbackFailedError, TargetError, TransientError } from '../../errors.js';
import type { Plan, PlanPhase } from '../../plan/plan.js';
import { TargetType, type ElasticBeanstalkTargetSpec } from '../../plan/target-schema.js';
import type { Release } from '../../state/types.js';
import { cpuOverWindow } from '../aws-metrics.js';
import { checkHealth, describeResult, sendRequest } from '../http.js';
import { gateRequests } from '../../gates/gate-requests.js';
import type { RequestResult, Sample } from '../../gates/sample.js';
import { ProbeState, type Deployment, type Probe, type Target } from '../types.js';
import {
  abortUpdate,
  createVersion,
  describeConfig,
  describeEnvironment,
  describeVersion,
  updateEnvironment,
  versionStatus,
  type EbContext,
} from './api.js';
import { defaultEbClients, type EbClients } from './clients.js';
import { decidePhase, decideSettled } from './decide.js';
import { measureEnvironment, targetMetrics, type EnvironmentHealth } from './measure.js';
import { metricsSince } from '../aws-metrics.js';
import { parseDescription, restoreStateOf, versionLabel } from './names.js';
import {
  diffConfig,
  instanceOptionsOf,
  isEmpty,
  overlayOptions,
  type EbConfig,
  type EbTargetState,
  type InstanceOption,
} from './options.js';
import {
  canaryFleet,
  canaryPercent,
  canaryPhase,
  decideEvaluation,
  isCanary,
  mergeChanges,
  ownPolicyOf,
  phasePolicy,
  policyChanges,
  recordedPolicy,
} from './traffic.js';

export interface ElasticBeanstalkTargetDeps {
  clock: Clock;
  /** Clients of a region; default: one set per region for the process. */
  clients?: (region: string) => EbClients;
}

function urlOf(env: EnvironmentDescription): string | null {
  return env.CNAME ? `http://${env.CNAME}` : null;
}

/**
 * An existing Elastic Beanstalk environment. The bundle (in S3) becomes an application version;
 * each phase is one UpdateEnvironment with the phase's settings as environment properties (the
 * first also switches the version and applies the manifest's instance upgrade). Nothing here
 * waits: apply starts an update, probe looks once, and the state machine's Wait states do the rest.
 */
export class ElasticBeanstalkTarget implements Target {
  readonly type = TargetType.ElasticBeanstalk;

  constructor(private readonly deps: ElasticBeanstalkTargetDeps) {}

  private ctx(plan: Plan): EbContext {
    if (plan.target.type !== TargetType.ElasticBeanstalk) throw new TargetError(`not an elastic-beanstalk target: ${plan.target.type}`);
    const spec: ElasticBeanstalkTargetSpec = plan.target;
    return { spec, clients: (this.deps.clients ?? defaultEbClients)(spec.region) };
  }

  async current(plan: Plan): Promise<Deployment | null> {
    const ctx = this.ctx(plan);
    const env = await describeEnvironment(ctx);
    if (!env.VersionLabel) return null;
    const config = await describeConfig(ctx);
    const ours = parseDescription((await describeVersion(ctx, env.VersionLabel))?.Description);
    return deployment(env, ours ?? { version: env.VersionLabel, digest: '' }, { versionLabel: env.VersionLabel, ...config });
  }

  async apply(plan: Plan, phase: PlanPhase): Promise<Deployment> {
    const ctx = this.ctx(plan);
    const env = await describeEnvironment(ctx);
    if (env.Status !== 'Ready') {
      throw new TransientError(`environment ${ctx.spec.environment} is ${env.Status}: ${phase.name} starts once it is Ready`);
    }
    const config = await describeConfig(ctx);
    const label = versionLabel(plan.version, plan.digest);
    const want = wanted(ctx.spec, phase);
    const result = deployment(env, plan, {
      versionLabel: label,
      environmentVariables: { ...config.environmentVariables, ...want.environmentVariables },
      instanceOptions: overlayOptions(config.instanceOptions, want.instanceOptions),
    });
    const switchVersion = env.VersionLabel !== label;
    if (switchVersion) {
      const version = (await describeVersion(ctx, label)) ?? (await createVersion(ctx, plan, label));
      const status = versionStatus(version);
      if (status === 'FAILED')
        throw new PhaseFailedError(`${phase.name}: application version ${label} failed processing (see the application's events)`);
      // Still processing: the probe deploys it once Elastic Beanstalk has validated it.
      if (status !== 'PROCESSED') return result;
    }
    const changes = mergeChanges(diffConfig(config, want), policyChanges(config.policyOptions, phasePolicy(ctx, phase)));
    if (switchVersion || !isEmpty(changes)) await updateEnvironment(ctx, changes, switchVersion ? label : undefined);
    return result;
  }

  async probe(plan: Plan): Promise<Probe> {
    const ctx = this.ctx(plan);
    const env = await describeEnvironment(ctx);
    const label = versionLabel(plan.version, plan.digest);
    const canary = canaryPhase(plan);
    const evaluating =
      canary && env.Status === 'Updating' ? decideEvaluation(env, label, canaryPercent(canary), await canaryFleet(ctx, label)) : null;
    if (evaluating) return evaluating;
    const version = env.VersionLabel === label ? null : await describeVersion(ctx, label);
    const decision = decidePhase(env, label, version);
    const first = plan.phases[0];
    if (decision.deploy && first) {
      // apply() found the version still processing and left the deployment of the first phase to us.
      const config = await describeConfig(ctx);
      const changes = mergeChanges(
        diffConfig(config, wanted(ctx.spec, first)),
        policyChanges(config.policyOptions, phasePolicy(ctx, first)),
      );
      await updateEnvironment(ctx, changes, label);
    }
    return decision.probe;
  }

  async sample(plan: Plan, phase: PlanPhase, cursor: Record<string, unknown> | null): Promise<Sample> {
    const ctx = this.ctx(plan);
    const env = await describeEnvironment(ctx);
    const url = urlOf(env);
    if (!url) throw new TargetError(`environment ${ctx.spec.environment} has no CNAME to send requests to (a worker environment?)`);
    const http = await checkHealth(url, plan.health.path, plan.health.timeoutMs);
    const requests: RequestResult[] = [];
    if (phase.smoke) {
      const timeoutMs = Math.max(phase.gate.inferenceMs * 2, 1_000);
      for (const { request: s, ref } of gateRequests(plan)) requests.push(await sendRequest(url, s, timeoutMs, ref));
    }
    const at = this.deps.clock.now();
    // CloudWatch datapoints (the agent's memory, the ALB's latency) count only from the moment the phase became stable.
    const since = metricsSince(cursor, at);
    const measured = await measureEnvironment(ctx, at, since);
    const cpu = cpuOverWindow(cursor, measured.cpuPercent);
    // A canary's window stays open until Elastic Beanstalk has moved every request to the new version.
    const label = versionLabel(plan.version, plan.digest);
    const canary = isCanary(phase) ? { settled: env.Status === 'Ready' && env.VersionLabel === label } : null;
    const reverted = canary !== null && env.Status === 'Ready' && env.VersionLabel !== label;
    return {
      at,
      health: reverted ? revertedHealth(http, env, label) : withEnvironmentHealth(http, measured.health),
      requests,
      cpuPercent: cpu.cpuPercent,
      memoryPercent: measured.memoryPercent,
      metrics: targetMetrics(measured.health, measured.alb),
      metricsSince: since,
      cursor: { ...cpu.cursor, metricsSince: since },
      ...(canary ? { settled: canary.settled } : {}),
    };
  }

  async restore(plan: Plan, release: Release | null): Promise<Deployment | null> {
    const ctx = this.ctx(plan);
    if (!release) throw nothingToRestore(ctx.spec);
    const want = restoreStateOf(release);
    const env = await describeEnvironment(ctx);
    if (env.Status === 'Ready') await this.reconcile(ctx, plan, env, want, ownPolicyOf(ctx, plan, release.targetState));
    // Mid-update (a deadline passed while Elastic Beanstalk was still deploying): stop it; the
    // restore itself is issued by probeRestored once the environment is Ready again.
    else if (env.AbortableOperationInProgress) await abortUpdate(ctx);
    return deployment(env, release, want);
  }

  async health(plan: Plan): Promise<Probe> {
    return decideSettled(await describeEnvironment(this.ctx(plan)));
  }

  async probeRestored(plan: Plan, release: Release | null): Promise<Probe> {
    const ctx = this.ctx(plan);
    if (!release) return { state: ProbeState.Failed, detail: nothingToRestore(ctx.spec).message };
    const want = restoreStateOf(release);
    const env = await describeEnvironment(ctx);
    if (env.Status === 'Ready' && (await this.reconcile(ctx, plan, env, want, ownPolicyOf(ctx, plan, release.targetState)))) {
      return { state: ProbeState.Pending, detail: `restoring application version ${want.versionLabel}` };
    }
    return decideSettled(env);
  }

  /**
   * Every gate passed: the environment's own deployment policy comes back (one UpdateEnvironment of
   * the policy options alone, which deploys nothing), and the new known-good records it.
   */
  async finish(plan: Plan, previous: Release | null): Promise<Record<string, unknown>> {
    const ctx = this.ctx(plan);
    const own = ownPolicyOf(ctx, plan, previous?.targetState);
    const config = await describeConfig(ctx);
    const changes = policyChanges(config.policyOptions, own);
    if (!isEmpty(changes) && (await describeEnvironment(ctx)).Status === 'Ready') await updateEnvironment(ctx, changes);
    return { policyOptions: recordedPolicy(own, config.policyOptions) };
  }

  /**
   * Starts the update that puts `want` back, unless the environment already matches it; true when
   * it started one. Only what this rollout may have changed is put back: its settings, and the
   * instance options its manifest names (a MaxSize raised by hand since stays raised).
   */
  private async reconcile(
    ctx: EbContext,
    plan: Plan,
    env: EnvironmentDescription,
    want: EbTargetState,
    ownPolicy: InstanceOption[],
  ): Promise<boolean> {
    const managed = Object.keys(plan.phases.at(-1)?.settings ?? {});
    const touched = instanceOptionsOf(ctx.spec.instance);
    const instanceOptions = want.instanceOptions.filter((o) => touched.some((t) => t.namespace === o.namespace && t.name === o.name));
    const config = await describeConfig(ctx);
    // The environment's own deployment policy comes back with the release (the rollout's was for the rollout only).
    const changes = mergeChanges(diffConfig(config, { ...want, instanceOptions }, managed), policyChanges(config.policyOptions, ownPolicy));
    const switchVersion = env.VersionLabel !== want.versionLabel;
    if (!switchVersion && isEmpty(changes)) return false;
    await updateEnvironment(ctx, changes, switchVersion ? want.versionLabel : undefined);
    return true;
  }
}

/** A canary whose evaluation ended with Elastic Beanstalk back on another version: the gate's health check fails. */
function revertedHealth(http: RequestResult, env: EnvironmentDescription, label: string): RequestResult {
  return {
    ...http,
    status: null,
    ok: false,
    error: `Elastic Beanstalk moved the traffic back: the environment serves ${env.VersionLabel ?? 'no version'}, not ${label} (see its events)`,
  };
}

/** What a phase sets: its settings as environment properties, and the manifest's instance upgrade. */
function wanted(spec: ElasticBeanstalkTargetSpec, phase: PlanPhase): Pick<EbConfig, 'environmentVariables' | 'instanceOptions'> {
  return { environmentVariables: phase.settings, instanceOptions: instanceOptionsOf(spec.instance) };
}

function deployment(env: EnvironmentDescription, release: { version: string; digest: string }, state: EbTargetState): Deployment {
  return {
    version: release.version,
    digest: release.digest,
    url: urlOf(env),
    settings: state.environmentVariables,
    targetState: { ...state },
  };
}

/**
 * The health check as the gate sees it: the HTTP answer of the health path, failed also when
 * Elastic Beanstalk's enhanced health is Red (the seeds' "Severe, 50 % HTTP 5xx"), which a single
 * request can miss.
 */
function withEnvironmentHealth(http: RequestResult, env: EnvironmentHealth): RequestResult {
  if (env.color !== 'Red') return http;
  const causes = env.causes.length ? `: ${env.causes.join('; ')}` : '';
  return {
    ...http,
    status: null,
    ok: false,
    error: `${describeResult(http)}, but Elastic Beanstalk health is ${env.status} (Red)${causes}`,
  };
}

function nothingToRestore(spec: ElasticBeanstalkTargetSpec): RollbackFailedError {
  return new RollbackFailedError(
    `no known-good release of ${spec.environment} to restore, and an Elastic Beanstalk environment cannot be stopped: ` +
      `deploy a known-good version to it by hand`,
  );
}
