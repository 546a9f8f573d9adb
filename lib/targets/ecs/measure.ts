import type { Sample } from '../../gates/sample.js';
import { AWS_DEFAULTS } from '../../plan/defaults.js';
import type { EcsTargetSpec } from '../../plan/target-schema.js';
import { newestValues, type CloudWatch, type MetricRequest } from '../aws-metrics.js';
import { clusterName, loadBalancerDimension, targetGroupDimension } from './names.js';

/** The service's and its target group's CloudWatch metrics, in the gate's units. */
export interface ServiceMeasurements {
  /** % of the CPU the service's tasks reserve (AWS/ECS CPUUtilization). */
  cpuPercent: number | null;
  /** % of the memory the service's tasks reserve (AWS/ECS MemoryUtilization). */
  memoryPercent: number | null;
  metrics: NonNullable<Sample['metrics']>;
}

/** The load balancer's view of one target group: both dimensions, as CloudWatch names them. */
export interface BalancedGroup {
  targetGroupArn: string;
  loadBalancerArn: string | null;
}

export function serviceMetricRequests(spec: EcsTargetSpec, group: BalancedGroup): MetricRequest[] {
  const service = { ClusterName: clusterName(spec.cluster), ServiceName: spec.service };
  const ecs = (id: string, metric: string): MetricRequest => ({
    id,
    namespace: 'AWS/ECS',
    metric,
    dimensions: service,
    stat: AWS_DEFAULTS.ecsUtilizationStat,
  });
  const requests = [ecs('cpu', 'CPUUtilization'), ecs('memory', 'MemoryUtilization')];
  if (!group.loadBalancerArn) return requests;
  const { loadBalancerArn } = group;
  const alb = (id: string, metric: string, stat: string) => albMetricRequest({ ...group, loadBalancerArn }, id, metric, stat);
  return [
    ...requests,
    alb('latency', 'TargetResponseTime', 'p95'),
    alb('requests', 'RequestCount', 'Sum'),
    alb('errors', 'HTTPCode_Target_5XX_Count', 'Sum'),
  ];
}

/** One AWS/ApplicationELB metric of a target group behind its load balancer (both dimensions). */
export function albMetricRequest(
  group: BalancedGroup & { loadBalancerArn: string },
  id: string,
  metric: string,
  stat: string,
): MetricRequest {
  return {
    id,
    namespace: 'AWS/ApplicationELB',
    metric,
    dimensions: {
      TargetGroup: targetGroupDimension(group.targetGroupArn),
      LoadBalancer: loadBalancerDimension(group.loadBalancerArn),
    },
    stat,
  };
}

/**
 * From the newest datapoints to the gate's numbers. TargetResponseTime is in seconds; a minute
 * without 5xx publishes no HTTPCode_Target_5XX_Count datapoint, which counts as none.
 */
export function toMeasurements(values: Record<string, number | null>): ServiceMeasurements {
  const round = (n: number) => Math.round(n * 10) / 10;
  const cpu = values.cpu ?? null;
  const memory = values.memory ?? null;
  const latency = values.latency ?? null;
  const requests = values.requests ?? null;
  const errors = values.errors ?? null;
  return {
    cpuPercent: cpu === null ? null : round(cpu),
    memoryPercent: memory === null ? null : round(memory),
    metrics: {
      ...(latency !== null ? { p95LatencyMs: round(latency * 1000) } : {}),
      ...(requests !== null && requests > 0 ? { errorRatePercent: round(((errors ?? 0) / requests) * 100) } : {}),
    },
  };
}

export async function measureService(
  cw: CloudWatch,
  spec: EcsTargetSpec,
  group: BalancedGroup,
  now: number,
  since?: number,
): Promise<ServiceMeasurements> {
  const values = await newestValues(cw, serviceMetricRequests(spec, group), now, `metrics of service ${spec.service}`, since);
  return toMeasurements(values);
}
