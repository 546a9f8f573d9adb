import { findInstance } from '../../plan/instances.js';
import type { SageMakerTargetSpec } from '../../plan/target-schema.js';
import { newestValues, type CloudWatch, type MetricRequest } from '../aws-metrics.js';
import type { Sample } from '../../gates/sample.js';
import { VARIANT } from './names.js';

/** The variant's CloudWatch metrics, in the gate's units. */
export interface EndpointMeasurements {
  cpuPercent: number | null;
  memoryPercent: number | null;
  metrics: NonNullable<Sample['metrics']>;
}

export function endpointMetricRequests(endpoint: string): MetricRequest[] {
  const dimensions = { EndpointName: endpoint, VariantName: VARIANT };
  const invocation = (id: string, metric: string, stat: string): MetricRequest => ({
    id,
    namespace: 'AWS/SageMaker',
    metric,
    dimensions,
    stat,
  });
  const instance = (id: string, metric: string): MetricRequest => ({
    id,
    namespace: '/aws/sagemaker/Endpoints',
    metric,
    dimensions,
    stat: 'Maximum',
  });
  return [
    invocation('latency', 'ModelLatency', 'p95'),
    invocation('invocations', 'Invocations', 'Sum'),
    invocation('errors', 'Invocation5XXErrors', 'Sum'),
    instance('cpu', 'CPUUtilization'),
    instance('memory', 'MemoryUtilization'),
  ];
}

/**
 * From the newest datapoints to the gate's numbers. ModelLatency is in microseconds;
 * CPUUtilization is summed over the instance's cores (up to 100 × vCPU), so it is divided by the
 * catalogue's vCPU count — null for a type the catalogue does not know rather than a wrong figure.
 */
export function toMeasurements(values: Record<string, number | null>, instanceType: string): EndpointMeasurements {
  const round = (n: number) => Math.round(n * 10) / 10;
  const latency = values.latency ?? null;
  const invocations = values.invocations ?? null;
  const errors = values.errors ?? null;
  const cpu = values.cpu ?? null;
  const memory = values.memory ?? null;
  const vcpu = findInstance(instanceType)?.vcpu ?? null;
  return {
    cpuPercent: cpu !== null && vcpu !== null ? round(cpu / vcpu) : null,
    memoryPercent: memory !== null ? round(memory) : null,
    metrics: {
      ...(latency !== null ? { p95LatencyMs: round(latency / 1000) } : {}),
      ...(invocations !== null && invocations > 0 ? { errorRatePercent: round(((errors ?? 0) / invocations) * 100) } : {}),
    },
  };
}

export async function measureEndpoint(
  cw: CloudWatch,
  spec: SageMakerTargetSpec,
  now: number,
  since?: number,
): Promise<EndpointMeasurements> {
  const values = await newestValues(cw, endpointMetricRequests(spec.endpoint), now, `metrics of endpoint ${spec.endpoint}`, since);
  return toMeasurements(values, spec.instanceType);
}
