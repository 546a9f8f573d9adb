import { createHash } from 'node:crypto';
import * as z from 'zod';
import { AWS_DEFAULTS } from '../../plan/defaults.js';
import type { Plan, PlanPhase } from '../../plan/plan.js';
import type { SageMakerTargetSpec } from '../../plan/target-schema.js';

/** Tags the target keeps on the endpoint (tags, because the Target interface's probe knows no phase). */
export const Tag = {
  /** The endpoint config the latest apply or restore asked for: a different one serving means SageMaker rolled back. */
  Expected: 'ml-rollout:expected-config',
  /** Set when a rollout created the endpoint: only such an endpoint is deleted by a first deployment's rollback. */
  CreatedBy: 'ml-rollout:created-by',
} as const;

/** Container variables the target adds, so that current() can tell what serves. */
export const Variable = { Version: 'ML_ROLLOUT_VERSION', Digest: 'ML_ROLLOUT_DIGEST' } as const;

function part(s: string, max: number): string {
  return s
    .replace(/[^a-zA-Z0-9]+/g, '-')
    .slice(0, max)
    .replace(/^-+|-+$/g, '');
}

function sortedEntries(settings: Record<string, string>): [string, string][] {
  return Object.entries(settings).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * The model's and endpoint config's name for a phase: readable (environment, version, phase
 * number) and unique to everything that goes into them (a hash), at most 63 characters. The same
 * inputs give the same name, so a retried apply finds its own model instead of creating another.
 * A phase that changes no setting (verify-metrics) takes the name of the first phase with the
 * same settings: it is the same deployment, and a second blue/green fleet would only restart it.
 */
export function resourceName(plan: Plan, phase: PlanPhase, spec: SageMakerTargetSpec): string {
  const settings = JSON.stringify(sortedEntries(phase.settings));
  const owner = plan.phases.find((p) => JSON.stringify(sortedEntries(p.settings)) === settings) ?? phase;
  const inputs = JSON.stringify([
    plan.environment,
    spec.endpoint,
    plan.version,
    plan.digest,
    owner.index,
    owner.name,
    sortedEntries(phase.settings),
    spec.image,
    spec.modelDataUrl ?? null,
    spec.executionRoleArn,
    spec.instanceType,
    spec.instanceCount,
  ]);
  const hash = createHash('sha256').update(inputs).digest('hex').slice(0, 8);
  return `${part(plan.environment, 28)}-${part(plan.version, 16) || 'v'}-p${owner.index}-${hash}`;
}

/** The value of the CreatedBy tag for a plan. */
export function createdBy(plan: Pick<Plan, 'version' | 'digest'>): string {
  return `${plan.version}/${plan.digest.slice(0, 12)}`;
}

export const VARIANT = AWS_DEFAULTS.sagemakerVariant;

/** A Release's targetState as this target writes it. */
export interface SageMakerTargetState {
  endpointConfigName: string;
}

const targetStateSchema = z.object({ endpointConfigName: z.string().min(1) });

export function parseTargetState(state: unknown): SageMakerTargetState | null {
  const parsed = targetStateSchema.safeParse(state);
  return parsed.success ? parsed.data : null;
}
