import { BundleInvalidError } from '../errors.js';
import type { CapacityComponents, CapacitySpec } from './capacity-schema.js';
import { AWS_DEFAULTS } from './defaults.js';
import { findInstance, INSTANCE_CATALOGUE, platformName, type InstanceSpec } from './instances.js';
import type { TargetSpec } from './target-schema.js';

/** What the capacity preflight reads of a plan (or a manifest). */
export interface CapacityInput {
  target: TargetSpec;
  capacity?: CapacitySpec | undefined;
}

/** The cheapest catalogue type whose memory holds the need under the memory gate. */
export interface CheapestFit {
  /** As the target names it: "m5.2xlarge" on Elastic Beanstalk, "ml.m5.2xlarge" on SageMaker. */
  type: string;
  /** GB */
  memoryGb: number;
  /** USD per month, the deployment guides' EC2 on-demand price. */
  monthlyUsd: number;
}

/** The service's memory need against the instance type it is deployed on. */
export interface CapacityFit {
  /** GB, the manifest's total or the sum of its components. */
  requiredGb: number;
  instanceType: string;
  /** GB; null when the type is not in the catalogue (then `fits` is null: not judged). */
  instanceMemoryGb: number | null;
  /** The memory gate, % of the instance's memory (80). */
  limitPercent: number;
  /** The need as % of the instance's memory; null when the type is unknown. */
  usagePercent: number | null;
  fits: boolean | null;
  /** null when no catalogue type fits. */
  cheapestFit: CheapestFit | null;
}

/** GB the manifest says the service needs; null when it says nothing. */
export function requiredMemoryGb(capacity: CapacitySpec | undefined): number | null {
  if (!capacity) return null;
  if (capacity.memoryGb !== undefined) return round(capacity.memoryGb);
  const parts = Object.values(capacity.components ?? {}).filter((gb): gb is number => gb !== undefined);
  return parts.length ? round(parts.reduce((a, b) => a + b, 0)) : null;
}

/** The instance type the target will run on, as the manifest names it; null when it names none. */
export function instanceTypeOf(target: TargetSpec): string | null {
  switch (target.type) {
    case 'elastic-beanstalk':
      return target.instance?.instanceType ?? null;
    case 'sagemaker':
      return target.instanceType;
    case 'local':
    case 'ecs':
      return null;
  }
}

/** True when `requiredGb` stays within the memory gate of `memoryGb`. */
function holds(memoryGb: number, requiredGb: number): boolean {
  return requiredGb <= (memoryGb * AWS_DEFAULTS.capacityLimitPercent) / 100;
}

/**
 * The cheapest type that fits. A GPU instance is only replaced by a GPU instance (a model built
 * for the GPU does not run faster on more RAM), and SageMaker only by types it hosts.
 */
export function cheapestFit(requiredGb: number, options: { sagemaker: boolean; gpu: boolean }): CheapestFit | null {
  const candidates = INSTANCE_CATALOGUE.filter(
    (i) => holds(i.memoryGb, requiredGb) && (!options.sagemaker || i.sagemaker) && (!options.gpu || i.gpu !== null),
  );
  const best = candidates.reduce<InstanceSpec | null>((a, b) => (a === null || b.monthlyUsd < a.monthlyUsd ? b : a), null);
  return best ? { type: platformName(best, options.sagemaker), memoryGb: best.memoryGb, monthlyUsd: best.monthlyUsd } : null;
}

/** The fit of the need to the instance type; null when the manifest states no need or no type. */
export function capacityFit(input: CapacityInput): CapacityFit | null {
  const requiredGb = requiredMemoryGb(input.capacity);
  const instanceType = instanceTypeOf(input.target);
  if (requiredGb === null || instanceType === null) return null;
  const spec = findInstance(instanceType);
  const sagemaker = input.target.type === 'sagemaker';
  return {
    requiredGb,
    instanceType,
    instanceMemoryGb: spec?.memoryGb ?? null,
    limitPercent: AWS_DEFAULTS.capacityLimitPercent,
    usagePercent: spec ? round((requiredGb / spec.memoryGb) * 100) : null,
    fits: spec ? holds(spec.memoryGb, requiredGb) : null,
    cheapestFit: cheapestFit(requiredGb, { sagemaker, gpu: spec?.gpu != null }),
  };
}

function describeCheapest(fit: CheapestFit | null, requiredGb: number): string {
  return fit
    ? `the cheapest instance type that fits is ${fit.type} (${fit.memoryGb} GB, ~$${fit.monthlyUsd}/month)`
    : `no instance type in the catalogue fits ${requiredGb} GB under the ${AWS_DEFAULTS.capacityLimitPercent} % memory gate`;
}

/**
 * The capacity preflight: rejects, before any change, an instance type whose memory the service
 * would fill past the memory gate. An instance type missing from the catalogue is not judged
 * (describeCapacity says so) rather than rejected: the catalogue is the deployment guides' short list.
 */
export function assertCapacity(input: CapacityInput): void {
  const fit = capacityFit(input);
  if (fit?.fits !== false) return;
  throw new BundleInvalidError(
    `capacity: the service needs ${fit.requiredGb} GB but ${fit.instanceType} has ${fit.instanceMemoryGb} GB ` +
      `(${fit.usagePercent} %, over the ${fit.limitPercent} % memory gate); ${describeCheapest(fit.cheapestFit, fit.requiredGb)}`,
  );
}

/** The service's memory need against an ECS task's memory (the task definition's, or its container's). */
export interface TaskMemoryFit {
  /** GB */
  requiredGb: number;
  /** MiB, as the task definition states it. */
  taskMemoryMib: number;
  /** The memory gate, % of the task's memory (80). */
  limitPercent: number;
  /** The need as % of the task's memory. */
  usagePercent: number;
  fits: boolean;
}

/** The fit of the need to a task's memory; null when the manifest states no need. */
export function taskMemoryFit(capacity: CapacitySpec | undefined, taskMemoryMib: number): TaskMemoryFit | null {
  const requiredGb = requiredMemoryGb(capacity);
  if (requiredGb === null) return null;
  const taskGb = taskMemoryMib / 1024;
  return {
    requiredGb,
    taskMemoryMib,
    limitPercent: AWS_DEFAULTS.capacityLimitPercent,
    usagePercent: round((requiredGb / taskGb) * 100),
    fits: holds(taskGb, requiredGb),
  };
}

/**
 * The capacity preflight of an ECS task: on ECS the memory is the task definition's, known only
 * once the serving one is read, so the target calls this before its first change. `what` names
 * the task definition in the message.
 */
export function assertTaskMemory(capacity: CapacitySpec | undefined, taskMemoryMib: number | null, what: string): void {
  if (taskMemoryMib === null) {
    if (requiredMemoryGb(capacity) === null) return;
    throw new BundleInvalidError(`capacity: ${what} states no memory (task or container) to check the service's need against`);
  }
  const fit = taskMemoryFit(capacity, taskMemoryMib);
  if (fit?.fits !== false) return;
  const neededMib = Math.ceil(((fit.requiredGb * 1024) / fit.limitPercent) * 100);
  throw new BundleInvalidError(
    `capacity: the service needs ${fit.requiredGb} GB but ${what} has ${taskMemoryMib} MiB ` +
      `(${fit.usagePercent} %, over the ${fit.limitPercent} % memory gate); give the task at least ${neededMib} MiB`,
  );
}

const COMPONENT_LABELS: Record<keyof CapacityComponents, string> = {
  framework: 'framework',
  computerVision: 'computer vision',
  faissIndex: 'FAISS index',
  datasetCache: 'dataset cache',
  libraries: 'libraries',
  runtime: 'runtime',
  buffer: 'buffer',
};

/** Lines for `ml-rollout plan`: the need, the instance, the fit and the cost. Empty without `capacity:`. */
export function describeCapacity(input: CapacityInput): string[] {
  const requiredGb = requiredMemoryGb(input.capacity);
  if (requiredGb === null) return [];
  const parts = Object.entries(input.capacity?.components ?? {})
    .filter(([, gb]) => gb !== undefined)
    .map(([k, gb]) => `${COMPONENT_LABELS[k as keyof CapacityComponents]} ${gb}`);
  const lines = [`capacity: needs ${requiredGb} GB${parts.length ? ` (${parts.join(' + ')})` : ''}`];
  const instanceType = instanceTypeOf(input.target);
  const sagemaker = input.target.type === 'sagemaker';
  if (input.target.type === 'ecs') {
    lines.push(
      `  checked against the memory of the serving task definition (gate ${AWS_DEFAULTS.capacityLimitPercent} %) before the first change`,
    );
    return lines;
  }
  if (instanceType === null) {
    lines.push(
      `  no instance type in the manifest to check it against; ${describeCheapest(cheapestFit(requiredGb, { sagemaker, gpu: false }), requiredGb)}`,
    );
    return lines;
  }
  const fit = capacityFit(input);
  const spec = findInstance(instanceType);
  if (!fit || !spec || fit.fits === null) {
    lines.push(
      `  ${instanceType} is not in the instance catalogue: not checked; ${describeCheapest(fit?.cheapestFit ?? null, requiredGb)}`,
    );
    return lines;
  }
  const verdict = fit.fits ? 'fits' : 'DOES NOT FIT';
  lines.push(
    `  ${instanceType}: ${spec.memoryGb} GB, ${spec.vcpu} vCPU${spec.gpu ? `, ${spec.gpu}` : ''}, ~$${spec.monthlyUsd}/month` +
      ` → ${fit.usagePercent} % of its memory, gate ${fit.limitPercent} %: ${verdict}`,
  );
  if (!fit.fits || fit.cheapestFit?.type !== instanceType) lines.push(`  ${describeCheapest(fit.cheapestFit, requiredGb)}`);
  if (sagemaker) lines.push('  (prices are EC2 on-demand, from the instance catalogue; SageMaker hosting costs more)');
  return lines;
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
