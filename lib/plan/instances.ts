/**
 * The instance catalogue of the seed documents (000/001: "AWS Elastic Beanstalk Instance Types for
 * ML" and its monthly cost comparison). Memory is in GB as the deployment guides state it, prices are the
 * seeds' EC2 on-demand figures: SageMaker hosting (ml.* types) costs more, so its monthly cost is
 * only a lower bound.
 */

/** One instance type of the catalogue. */
export interface InstanceSpec {
  /** EC2 name, e.g. "m5.2xlarge"; SageMaker's is the same with "ml." in front. */
  type: string;
  vcpu: number;
  /** GB */
  memoryGb: number;
  /** The accelerator, e.g. "NVIDIA T4 (16 GB)"; null for CPU-only types. */
  gpu: string | null;
  /** USD per month, on demand (the deployment guides' figure). */
  monthlyUsd: number;
  /** Whether SageMaker hosts on it (as ml.<type>). */
  sagemaker: boolean;
}

export const INSTANCE_CATALOGUE: readonly InstanceSpec[] = [
  { type: 't3.micro', vcpu: 2, memoryGb: 1, gpu: null, monthlyUsd: 8, sagemaker: false },
  { type: 'm5.large', vcpu: 2, memoryGb: 8, gpu: null, monthlyUsd: 70, sagemaker: true },
  { type: 'm5.xlarge', vcpu: 4, memoryGb: 16, gpu: null, monthlyUsd: 140, sagemaker: true },
  { type: 'c5.2xlarge', vcpu: 8, memoryGb: 16, gpu: null, monthlyUsd: 250, sagemaker: true },
  { type: 'm5.2xlarge', vcpu: 8, memoryGb: 32, gpu: null, monthlyUsd: 280, sagemaker: true },
  { type: 'r5.2xlarge', vcpu: 8, memoryGb: 64, gpu: null, monthlyUsd: 365, sagemaker: true },
  { type: 'g4dn.xlarge', vcpu: 4, memoryGb: 16, gpu: 'NVIDIA T4 (16 GB)', monthlyUsd: 380, sagemaker: true },
  { type: 'p3.2xlarge', vcpu: 8, memoryGb: 61, gpu: 'NVIDIA V100 (16 GB)', monthlyUsd: 2200, sagemaker: true },
];

const SAGEMAKER_PREFIX = 'ml.';

/** The catalogue entry of an EC2 ("m5.xlarge") or SageMaker ("ml.m5.xlarge") type; null when unknown. */
export function findInstance(type: string): InstanceSpec | null {
  const ec2 = type.startsWith(SAGEMAKER_PREFIX) ? type.slice(SAGEMAKER_PREFIX.length) : type;
  const spec = INSTANCE_CATALOGUE.find((i) => i.type === ec2) ?? null;
  if (spec && type.startsWith(SAGEMAKER_PREFIX) && !spec.sagemaker) return null;
  return spec;
}

/** The name a catalogue entry goes by on a platform. */
export function platformName(spec: InstanceSpec, sagemaker: boolean): string {
  return sagemaker ? `${SAGEMAKER_PREFIX}${spec.type}` : spec.type;
}
