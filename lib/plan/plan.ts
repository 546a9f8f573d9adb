import { DEFAULTS } from './defaults.js';
import type { GateSpec, GoldenRequest, Manifest, SmokeRequest } from './schema.js';
import type { AgreementSpec } from './answers-schema.js';
import type { CapacitySpec } from './capacity-schema.js';
import { phaseTraffic, trafficSteps, type TrafficStrategy } from './traffic-schema.js';
import type { TargetSpec } from './target-schema.js';

/** A gate with its defaults applied. Thresholds absent from the manifest are not checked. */
export interface PlanGate extends GateSpec {
  /** Highest latency of any one smoke request, ms. */
  inferenceMs: number;
  /** Gate samples allowed to fail while baking (absent in plans written before it: 0). */
  failureLimit?: number;
}

/** One phase as it will run: settings already accumulated from the phases before it. */
export interface PlanPhase {
  index: number;
  name: string;
  /** Every setting in force during this phase (this phase's over all earlier ones). */
  settings: Record<string, string>;
  /** The settings this phase itself adds or changes. */
  changes: Record<string, string>;
  smoke: boolean;
  /** s */
  bakeSeconds: number;
  /** s */
  deadlineSeconds: number;
  gate: PlanGate;
  /** Wait for approval once the gate passes (absent in older plans: false). */
  approve?: boolean;
  /** How long that pause waits before rolling back, s (default 3600). */
  approvalTimeoutSeconds?: number;
  /** How the phase moves user traffic to its new version: the weights (%) step by step, ending at 100. */
  traffic?: PlanTraffic;
}

/** A phase's traffic, resolved: always at least one step (100). */
export interface PlanTraffic {
  strategy: TrafficStrategy;
  /** e.g. [10, 50, 100]; all-at-once: [100]. */
  steps: number[];
  /** linear: the step (%) the weights grow by, as written (targets that shift by themselves use it). */
  stepPercent?: number;
  /** How long each step before the last is measured, s; the last (100 %) is measured for the phase's bakeSeconds. */
  stepSeconds: number;
  compare?: { p95LatencyRatio?: number; errorRateDeltaPercent?: number };
}

/** Where the bundle's files are: a local directory, or an object in S3. */
export type BundleSource = { kind: 'dir'; path: string } | { kind: 's3'; bucket: string; key: string; versionId?: string };

/**
 * The resolved rollout: the manifest with every default applied, plus what the bundle is.
 * This is the spec the state machine carries from state to state (at $.plan).
 */
export interface Plan {
  name: string;
  version: string;
  /** sha256 of the bundle's files, hex: tells "the same bundle" from "the same version number". */
  digest: string;
  environment: string;
  target: TargetSpec;
  /** Thresholds absent in plans written before them: DEFAULTS (2 and 2). */
  health: { path: string; timeoutMs: number; healthyThreshold?: number; unhealthyThreshold?: number };
  smoke: SmokeRequest[];
  /** Golden requests, sent with the smoke requests; absent when the manifest has none. */
  golden?: GoldenRequest[];
  /** How golden answers are compared with the known-good release's. */
  agreement?: AgreementSpec;
  phases: PlanPhase[];
  /** s between stability polls. */
  pollSeconds: number;
  /** s between gate samples while baking. */
  sampleSeconds: number;
  /** The release's files, ready for the target. */
  release: BundleSource;
  /** The manifest's memory need, where a target checks it only once it reads what it runs on (ECS: the task definition). */
  capacity?: CapacitySpec;
}

export function resolvePlan(
  manifest: Manifest,
  bundle: { digest: string; release: BundleSource },
  overrides: { pollSeconds?: number; sampleSeconds?: number } = {},
): Plan {
  let settings: Record<string, string> = {};
  const type = manifest.target.type;
  const phases = manifest.phases.map((p, index): PlanPhase => {
    settings = { ...settings, ...p.settings };
    return {
      index,
      name: p.name,
      settings,
      changes: p.settings,
      smoke: p.smoke,
      bakeSeconds: p.bakeSeconds,
      deadlineSeconds: p.deadlineSeconds ?? DEFAULTS.deadlineSeconds[type],
      gate: {
        ...p.gate,
        inferenceMs: p.gate.inferenceMs ?? DEFAULTS.inferenceMs,
        failureLimit: p.gate.failureLimit ?? DEFAULTS.failureLimit,
      },
      traffic: resolveTraffic(phaseTraffic(manifest, p)),
      approve: p.approve,
      approvalTimeoutSeconds: p.approvalTimeoutSeconds ?? manifest.approvalTimeoutSeconds,
    };
  });
  return {
    name: manifest.name,
    version: manifest.version,
    digest: bundle.digest,
    environment: manifest.target.environment,
    target: manifest.target,
    health: {
      path: manifest.health.path,
      timeoutMs:
        manifest.health.timeoutSeconds !== undefined ? Math.round(manifest.health.timeoutSeconds * 1000) : manifest.health.timeoutMs,
      healthyThreshold: manifest.health.healthyThreshold,
      unhealthyThreshold: manifest.health.unhealthyThreshold,
    },
    smoke: manifest.smoke,
    phases,
    pollSeconds: overrides.pollSeconds ?? DEFAULTS.pollSeconds[type],
    sampleSeconds: overrides.sampleSeconds ?? DEFAULTS.sampleSeconds[type],
    release: bundle.release,
    ...(manifest.capacity ? { capacity: manifest.capacity } : {}),
    ...(manifest.golden?.length ? { golden: manifest.golden } : {}),
    ...(manifest.agreement ? { agreement: manifest.agreement } : {}),
  };
}

function resolveTraffic(t: ReturnType<typeof phaseTraffic>): PlanTraffic {
  return {
    strategy: t?.strategy ?? 'all-at-once',
    steps: trafficSteps(t),
    ...(t?.stepPercent !== undefined ? { stepPercent: t.stepPercent } : {}),
    stepSeconds: t?.stepSeconds ?? DEFAULTS.trafficStepSeconds,
    ...(t?.compare ? { compare: t.compare } : {}),
  };
}

/** Longest the rollout can take, s: every deadline and bake, for the lock's lease. */
export function longestRolloutSeconds(plan: Plan): number {
  // A pause runs no task that could renew the lease (on AWS it costs nothing while it waits): the lease covers it.
  const phases = plan.phases.reduce(
    (s, p) =>
      s +
      p.deadlineSeconds +
      p.bakeSeconds +
      (p.traffic ? (p.traffic.steps.length - 1) * p.traffic.stepSeconds : 0) +
      (p.approve ? (p.approvalTimeoutSeconds ?? DEFAULTS.approvalTimeoutSeconds) * (p.traffic?.steps.length ?? 1) : 0),
    0,
  );
  return phases + DEFAULTS.rollbackDeadlineSeconds[plan.target.type] + DEFAULTS.lockMarginSeconds;
}
