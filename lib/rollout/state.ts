import * as z from 'zod';
import { InvalidEventError } from '../errors.js';
import type { BakeWindow } from '../gates/bake.js';
import type { Plan, PlanPhase } from '../plan/plan.js';
import type { Release } from '../state/types.js';

/** Where a rollout's bundle is: a path on this machine, or an S3 object. */
export const bundleRefSchema = z.union([
  z.strictObject({ path: z.string().min(1) }),
  z.strictObject({
    bucket: z.string().min(1),
    key: z.string().min(1),
    versionId: z.string().optional(),
    etag: z.string().optional(),
    /** The bucket's region (the manifest's target.region, set by the CLI); absent: the engine's own. */
    region: z.string().optional(),
  }),
]);
export type BundleRef = z.infer<typeof bundleRefSchema>;

/** Knobs of one run (tests and the local CLI); absent → lib/plan/defaults.ts. */
export const runOptionsSchema = z.strictObject({
  /** s between stability polls */
  pollSeconds: z.number().int().min(1).optional(),
  /** s between gate samples while baking */
  sampleSeconds: z.number().int().min(1).optional(),
});

/** The execution's input. */
export const executionInputSchema = z.strictObject({
  rolloutId: z.string().regex(/^[A-Za-z0-9_-]{1,80}$/, 'letters, digits, dashes and underscores, at most 80'),
  bundle: bundleRefSchema,
  options: runOptionsSchema.optional(),
});
export type ExecutionInput = z.infer<typeof executionInputSchema>;

/** Output of TakeSnapshot, at $.snapshot. */
export interface Snapshot {
  /** The known-good release a rollback restores; null on a first deployment. */
  previous: Release | null;
  /** The same bundle already serves, healthy: nothing to do. */
  unchanged: boolean;
  /** Set when known-good.json could not be read: why, and what the snapshot took instead (one line). */
  repaired?: string;
}

/** Output of ApplyPhase, at $.phaseRun; SampleGate adds `bake`. */
export interface PhaseRun {
  index: number;
  name: string;
  /** epoch ms */
  startedAt: number;
  /** epoch ms after which the phase has failed to become healthy */
  deadlineAt: number;
  url: string | null;
  targetState?: Record<string, unknown>;
  bake?: BakeWindow;
  /** The phase's traffic steps, % of user requests to the new version, ending at 100. */
  steps?: number[];
  /** Wait for approval once the gate passes (WaitForApproval). */
  approve?: boolean;
  /** s that pause waits: WaitForApproval's TimeoutSecondsPath. */
  approvalTimeoutSeconds?: number;
}

/** Output of CheckStable, at $.probe: the healthy probes in a row count toward healthyThreshold. */
export interface StableProbe {
  stable: boolean;
  detail: string;
  /** Index of the phase probed (a new phase counts from 0). */
  phase?: number;
  /** Healthy probes in a row, this one included. */
  healthyInARow?: number;
}

/** The error a Catch put at $.error / $.rollbackError. */
export interface CaughtError {
  Error: string;
  Cause: string;
}

/** The JSON that flows through statemachines/rollout.asl.yml. */
export interface RolloutState extends ExecutionInput {
  plan?: Plan;
  snapshot?: Snapshot;
  cursor?: { index: number; count: number };
  phaseRun?: PhaseRun;
  probe?: StableProbe;
  /** Output of WaitForApproval: who approved the latest pause. */
  approval?: { approvedBy: string; approvedAt: string };
  /** Output of AcquireLock: the lease it took (renewals move the stored lock's, not this copy). */
  lock?: { expiresAt: string };
  restore?: { restoredVersion: string | null; startedAt: number; deadlineAt: number };
  error?: CaughtError;
  rollbackError?: CaughtError;
}

/** A state that has passed ValidateBundle. */
export type PlannedState = RolloutState & { plan: Plan };

/** Handlers receive the state as JSON: check the parts a task relies on, name what is missing. */
export const plannedStateSchema = z
  .looseObject({
    rolloutId: z.string().min(1),
    plan: z.looseObject({ environment: z.string(), version: z.string(), phases: z.array(z.unknown()).min(1) }),
  })
  // The rest of the state was written by earlier tasks of the same machine.
  .transform((s) => s as unknown as PlannedState);

export function currentPhase(state: PlannedState): PlanPhase {
  const index = state.cursor?.index ?? state.phaseRun?.index ?? 0;
  const phase = state.plan.phases[index];
  if (!phase) throw new InvalidEventError(`no phase ${index} in the plan of ${state.plan.phases.length}`);
  return phase;
}
