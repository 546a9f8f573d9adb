import type { BundleSource, Plan, PlanPhase } from '../plan/plan.js';
import type { TargetType } from '../plan/target-schema.js';
import type { Sample } from '../gates/sample.js';
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
  /** Where its files are, where the target knows (local: the release directory). */
  source?: BundleSource;
  /** What apply changed besides the deployment itself, one line each (e.g. a target group's health check), for the record. */
  notes?: string[];
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
  /**
   * Health of whatever serves now, for `status`: reads only, never starts or finishes a change
   * (unlike probe, which may carry a phase's deployment on).
   */
  health(plan: Plan): Promise<Probe>;
  /** Health of what restore() put back (stopped counts as healthy when release is null). */
  probeRestored(plan: Plan, release: Release | null): Promise<Probe>;
  /**
   * Every gate passed: put back what the rollout set only for itself (Elastic Beanstalk's deployment
   * policy, SageMaker's rollback alarm). `previous` is the snapshot's release. Returns what the new
   * known-good release's targetState adds (e.g. the environment's own policy). Optional.
   */
  finish?(plan: Plan, previous: Release | null): Promise<Record<string, unknown>>;

  /**
   * Moves `percent` % of user traffic to the phase's new version, the rest staying on the one it
   * replaces (a ShiftTraffic state, once per step of the phase's traffic). Optional: a target
   * without it has moved all traffic at apply.
   */
  shift?(plan: Plan, phase: PlanPhase, percent: number): Promise<TrafficShift>;
  /** The rollout succeeded: stop what kept the known-good release ready for a switch back. Optional. */
  retire?(plan: Plan): Promise<void>;
}

/** What a ShiftTraffic did. */
export interface TrafficShift {
  /** Share of user requests the new version now takes, %. */
  percent: number;
  /** The version that takes the rest, if any. */
  from: string | null;
  /** One line for progress, e.g. "2.0.0 takes 10 % (1.0.0 90 %)". */
  detail: string;
}
