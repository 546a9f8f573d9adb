import type { LockHolder } from '../errors.js';
import type { BundleSource, Plan } from '../plan/plan.js';
import type { TargetType } from '../plan/target-schema.js';
import type { WindowMeasurements } from '../gates/bake.js';
import type { Check } from '../gates/verdict.js';
import type { GoldenAnswer } from '../gates/agreement.js';
import type { ChartThresholds, SamplePoint } from '../gates/series.js';
import type { CostEstimate } from '../rollout/cost.js';

/** A version that ran in an environment, with what it takes to start it again. */
export interface Release {
  name: string;
  version: string;
  /** sha256 of the bundle's files, hex. */
  digest: string;
  source: BundleSource;
  /** Every setting that was in force when it served (its last phase). */
  settings: Record<string, string>;
  /** What the target needs to restore it (e.g. EB version label + option settings, a SageMaker EndpointConfigName). */
  targetState?: Record<string, unknown>;
  /** The plan it was deployed with: what a manual rollback to it needs (target, health, smoke). */
  plan?: Plan;
}

/** The last known-good release of an environment and the ones before it, newest first. */
export interface KnownGood {
  environment: string;
  current: Release;
  /** Earlier known-good releases, newest first (at most a few are kept). */
  previous: Release[];
  /** ISO-8601 */
  recordedAt: string;
}

/** What serves an environment right now: read by the inference proxy and `status`. */
export interface Serving {
  environment: string;
  targetType: TargetType;
  version: string;
  digest: string;
  /** Base URL the service answers on; null where it is reached otherwise (SageMaker). */
  url: string | null;
  /** SageMaker endpoint name, where the target is SageMaker. */
  endpointName?: string;
  /** The phase in force, or null once the rollout has ended. */
  phase: string | null;
  /** ISO-8601 */
  updatedAt: string;
}

/** Closed vocabulary of a rollout's status (spec vs status: this is status). */
export const RolloutStatus = {
  Running: 'running',
  Succeeded: 'succeeded',
  Unchanged: 'unchanged',
  RolledBack: 'rolled_back',
  Rejected: 'rejected',
  Failed: 'failed',
  /** Its engine stopped (killed, crashed, rebooted) before the rollout ended: what serves is unverified. */
  Interrupted: 'interrupted',
} as const;
export type RolloutStatus = (typeof RolloutStatus)[keyof typeof RolloutStatus];

export const PhaseStatus = {
  Pending: 'pending',
  Running: 'running',
  Passed: 'passed',
  Failed: 'failed',
  Skipped: 'skipped',
} as const;
export type PhaseStatus = (typeof PhaseStatus)[keyof typeof PhaseStatus];

export interface PhaseRecord {
  name: string;
  status: PhaseStatus;
  checks: Check[];
  /** ISO-8601 */
  startedAt?: string;
  /** ISO-8601 */
  finishedAt?: string;
  /** One line: why the phase failed. */
  error?: string;
  /** What the target changed besides the deployment (e.g. a target group's health check), one line each. */
  notes?: string[];
  /** What the gate measured over its window (latency percentiles, CPU, memory, requests). */
  measurements?: WindowMeasurements;
  /** Every gate sample of the phase's window, oldest first (for charts; thinned past a few hundred). */
  series?: SamplePoint[];
  /** The gate's thresholds the charts draw. */
  thresholds?: ChartThresholds;
  /** One entry per traffic step of the phase (all at once: one entry at 100). */
  traffic?: TrafficStepRecord[];
}

/** One traffic step of a phase: the new version's share and the gate's verdict on it. */
export interface TrafficStepRecord {
  /** Share of user requests the new version took, %. */
  percent: number;
  /** running while measured; skipped when the phase ended before it. */
  status: 'passed' | 'failed' | 'skipped' | 'running';
  checks: Check[];
}

export interface RollbackRecord {
  performed: boolean;
  restoredVersion: string | null;
  verified: boolean;
  error?: string;
}

/** What happened in one rollout: written by the tasks as they run. */
export interface RolloutRecord {
  id: string;
  environment: string;
  name: string;
  version: string;
  digest: string;
  previousVersion: string | null;
  status: RolloutStatus;
  phases: PhaseRecord[];
  rollback: RollbackRecord;
  /** The first failure, one line, naming the check and its measured value where a gate failed. */
  failure: { phase: string | null; error: string; message: string; check?: Check } | null;
  /** ISO-8601 */
  startedAt: string;
  /** ISO-8601 */
  finishedAt: string | null;
  /** Phase name → the golden answers its passing gate got; recorded with the release once it is known-good. */
  answers?: Record<string, GoldenAnswer[]>;
  /** The latest pause for approval: which phase waited, since and until when, who approved it (ISO-8601 times). */
  approval?: { phase: string; since: string; expiresAt: string; approvedBy?: string; approvedAt?: string };
  /** Set when a person aborted the rollout: who, why (null: no reason given), when (ISO-8601). */
  abort?: { by: string; reason: string | null; at: string };
  /** What the rollout costs on AWS (an estimate), written with its outcome. */
  cost?: CostEstimate;
}

/** Known-good releases, what serves, and rollout records. Local: files; AWS: S3. */
export interface StateStore {
  getKnownGood(environment: string): Promise<KnownGood | null>;
  putKnownGood(knownGood: KnownGood): Promise<void>;
  getServing(environment: string): Promise<Serving | null>;
  putServing(serving: Serving): Promise<void>;
  clearServing(environment: string): Promise<void>;
  getRollout(environment: string, id: string): Promise<RolloutRecord | null>;
  putRollout(record: RolloutRecord): Promise<void>;
}

/** The holder of a lock plus who took it, for stale-lock detection. */
export interface LockEntry extends LockHolder {
  environment: string;
  /** host:pid of the process that took it (local), or the execution ARN (AWS). */
  owner: string;
}

/** One rollout per environment at a time, with a lease so a crashed run cannot hold it forever. */
export interface LockStore {
  /** Takes the lock, or throws LockHeldError naming the holder. Re-entrant for the same rolloutId. */
  acquire(entry: LockEntry): Promise<void>;
  /**
   * Moves the end of the lease of a lock `rolloutId` holds to `expiresAt` (ISO-8601); false when
   * it does not hold it (any more), e.g. a lock taken over after its lease ran out.
   */
  renew(environment: string, rolloutId: string, expiresAt: string): Promise<boolean>;
  /** Releases the lock if `rolloutId` holds it; true when it did. */
  release(environment: string, rolloutId: string): Promise<boolean>;
  /** Removes whatever lock there is (the `unlock` command); returns what it removed. */
  clear(environment: string): Promise<LockEntry | null>;
  get(environment: string): Promise<LockEntry | null>;
}
