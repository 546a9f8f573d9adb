import type { Plan, PlanPhase } from '../plan/plan.js';
import type { TargetType } from '../plan/target-schema.js';
import type { Release } from '../state/types.js';

/** What a target reports is deployed. */
export interface Deployment {
  version: string;
  digest: string;
  /** Base URL the service answers on; null where it is reached otherwise (SageMaker). */
  url: string | null;
  settings: Record<string, string>;
  /** Target-specific data to restore exactly this deployment (saved into the Release). */
  targetState?: Record<string, unknown>;
}

export const ProbeState = {
  /** Healthy and ready for the gate. */
  Stable: 'stable',
  /** Still starting or updating: poll again (until the phase's deadline). */
  Pending: 'pending',
  /** Failed for good (process exited, target says Failed): no point waiting. */
  Failed: 'failed',
} as const;
export type ProbeState = (typeof ProbeState)[keyof typeof ProbeState];

export interface Probe {
  state: ProbeState;
  /** One line for progress and errors: "HTTP 503 from /health", "process exited with code 1". */
  detail: string;
}

/** One smoke request's outcome. */
export interface RequestResult {
  /** "POST /predict" */
  label: string;
  status: number | null;
  expectStatus: number;
  /** ms */
  latencyMs: number;
  ok: boolean;
  error?: string;
}

/**
 * One round of measurement at a gate. While baking, the gate takes one sample per Wait and
 * accumulates them; `cursor` carries what the next sample needs (e.g. CPU counters) through the
 * state machine's JSON, so it must be plain JSON.
 */
export interface Sample {
  /** epoch ms */
  at: number;
  health: RequestResult;
  /** Smoke requests sent in this round (empty when the phase has `smoke: false`). */
  requests: RequestResult[];
  /** CPU use since the window began, %; null when it cannot be measured. */
  cpuPercent: number | null;
  /** Memory in use now, % of what the environment has; null when it cannot be measured. */
  memoryPercent: number | null;
  /** Metrics the target measures itself (CloudWatch), overriding those computed from requests. */
  metrics?: { p95LatencyMs?: number | null; errorRatePercent?: number | null };
  cursor: Record<string, unknown> | null;
}

/**
 * Everything the rollout needs of a place that runs the service. One module per target type
 * (local, elastic-beanstalk, sagemaker); the state machine's tasks call only this.
 */
export interface Target {
  readonly type: TargetType;
  /** What serves the environment now, or null when nothing does. */
  current(plan: Plan): Promise<Deployment | null>;
  /** Starts the phase: deploys the release with the phase's settings. Returns without waiting. */
  apply(plan: Plan, phase: PlanPhase): Promise<Deployment>;
  /** Is the deployment healthy yet? Never waits longer than one request. */
  probe(plan: Plan): Promise<Probe>;
  /** One measurement round for the gate; `cursor` is the previous sample's (null on the first). */
  sample(plan: Plan, phase: PlanPhase, cursor: Record<string, unknown> | null): Promise<Sample>;
  /** Puts `release` back (null: nothing was deployed before; stop the environment). */
  restore(plan: Plan, release: Release | null): Promise<Deployment | null>;
  /** Health of what restore() put back (stopped counts as healthy when release is null). */
  probeRestored(plan: Plan, release: Release | null): Promise<Probe>;
}
