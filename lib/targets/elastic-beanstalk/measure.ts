import {
  DescribeEnvironmentHealthCommand,
  DescribeInstancesHealthCommand,
  type ApplicationMetrics,
  type SingleInstanceHealth,
} from '@aws-sdk/client-elastic-beanstalk';
import { AWS_DEFAULTS } from '../../plan/defaults.js';
import { aws } from '../../aws/errors.js';
import { newestValues, type MetricRequest } from '../aws-metrics.js';
import { albMetricRequest } from '../ecs/measure.js';
import type { Sample } from '../../gates/sample.js';
import type { EbContext } from './api.js';
import { environmentTargetGroup } from './load-balancer.js';

/** What Elastic Beanstalk's enhanced health says of the environment right now. */
export interface EnvironmentHealth {
  /** Ok | Info | Warning | Degraded | Severe | NoData | Unknown | Pending | Suspended */
  status: string;
  /** Green | Yellow | Red | Grey */
  color: string;
  causes: string[];
  /** Requests in the last window (ApplicationMetrics.Duration, 10 s), or null without data. */
  requestCount: number | null;
  /** ms */
  p90LatencyMs: number | null;
  /**
   * ms: enhanced health's Latency.P95 — by the API reference the mean latency of the slowest 5 %
   * of requests, not a 95th percentile, hence the name.
   */
  slowest5PercentMeanLatencyMs: number | null;
  p99LatencyMs: number | null;
  /** Share of requests answered 5xx, %. */
  http5xxPercent: number | null;
}

/** Enhanced health's application metrics, in ms and %; nulls when no request was served. */
export function readApplicationMetrics(m: ApplicationMetrics | undefined): Omit<EnvironmentHealth, 'status' | 'color' | 'causes'> {
  const count = m?.RequestCount ?? 0;
  if (!m || count <= 0)
    return { requestCount: m ? 0 : null, p90LatencyMs: null, slowest5PercentMeanLatencyMs: null, p99LatencyMs: null, http5xxPercent: null };
  // Elastic Beanstalk reports latency in seconds (millisecond resolution).
  const ms = (s: number | undefined) => (s === undefined ? null : Math.round(s * 1000 * 10) / 10);
  return {
    requestCount: count,
    p90LatencyMs: ms(m.Latency?.P90),
    slowest5PercentMeanLatencyMs: ms(m.Latency?.P95),
    p99LatencyMs: ms(m.Latency?.P99),
    // StatusCodes and RequestCount read as counts over the 10 s window (ApplicationMetrics.Duration):
    // the API reference calls StatusCodes percentages and RequestCount a rate, but AWS's own EB CLI
    // (ebcli/display/data_poller.py) and the `eb health` example treat both as counts, and only
    // with counts is Status5xx ÷ RequestCount the share of 5xx answers. See docs/aws-targets.md.
    http5xxPercent: Math.round(((m.StatusCodes?.Status5xx ?? 0) / count) * 1000) / 10,
  };
}

export function readEnvironmentHealth(out: {
  HealthStatus?: string | undefined;
  Color?: string | undefined;
  Causes?: string[] | undefined;
  ApplicationMetrics?: ApplicationMetrics | undefined;
}): EnvironmentHealth {
  return {
    status: out.HealthStatus ?? 'Unknown',
    color: out.Color ?? 'Grey',
    causes: out.Causes ?? [],
    ...readApplicationMetrics(out.ApplicationMetrics),
  };
}

/** The busiest instance's CPU use over enhanced health's last 10 s, % (100 − idle); null without data. */
export function busiestCpuPercent(instances: SingleInstanceHealth[]): number | null {
  const used = instances
    .map((i) => i.System?.CPUUtilization?.Idle)
    .filter((idle): idle is number => idle !== undefined)
    .map((idle) => Math.round((100 - idle) * 10) / 10);
  return used.length ? Math.max(...used) : null;
}

/**
 * The CloudWatch SEARCH for the agent's memory metric of these instances. A search, not a plain
 * metric: the agent's dimensions depend on its configuration (InstanceId alone, or with
 * ImageId/InstanceType/AutoScalingGroupName), and a search matches whichever it publishes.
 */
export function memorySearch(instanceIds: string[]): string {
  const { namespace, name } = AWS_DEFAULTS.agentMemoryMetric;
  const ids = instanceIds.map((id) => `InstanceId="${id}"`).join(' OR ');
  return `SEARCH('Namespace="${namespace}" MetricName="${name}" (${ids})', 'Maximum', ${AWS_DEFAULTS.metricPeriodSeconds})`;
}

/** One round of the environment's own measurements. */
export interface EnvironmentMeasurements {
  health: EnvironmentHealth;
  cpuPercent: number | null;
  /** null: no instance publishes the agent's memory metric, so memory cannot be judged. */
  memoryPercent: number | null;
  instanceIds: string[];
  /** The ALB's TargetResponseTime p95, ms (null: no datapoint since the phase became stable); null without an ALB. */
  alb: { p95LatencyMs: number | null } | null;
}

export async function measureEnvironment(ctx: EbContext, now: number, since?: number): Promise<EnvironmentMeasurements> {
  const name = ctx.spec.environment;
  const envHealth = await aws(`DescribeEnvironmentHealth of environment ${name}`, () =>
    ctx.clients.eb.send(new DescribeEnvironmentHealthCommand({ EnvironmentName: name, AttributeNames: ['All'] })),
  );
  const instances: SingleInstanceHealth[] = [];
  let nextToken: string | undefined;
  do {
    const page = await aws(`DescribeInstancesHealth of environment ${name}`, () =>
      ctx.clients.eb.send(
        new DescribeInstancesHealthCommand({
          EnvironmentName: name,
          AttributeNames: ['System'],
          ...(nextToken ? { NextToken: nextToken } : {}),
        }),
      ),
    );
    instances.push(...(page.InstanceHealthList ?? []));
    nextToken = page.NextToken;
  } while (nextToken);
  const instanceIds = instances.map((i) => i.InstanceId).filter((id): id is string => Boolean(id));
  const group = await environmentTargetGroup(ctx);
  const requests: MetricRequest[] = [
    ...(instanceIds.length ? [{ id: 'memory', expression: memorySearch(instanceIds) }] : []),
    // The same percentile the ECS target reads: a true p95 over the phase's datapoints.
    ...(group ? [albMetricRequest(group, 'latency', 'TargetResponseTime', 'p95')] : []),
  ];
  const values = await newestValues(ctx.clients.cw, requests, now, `metrics of environment ${name}`, since);
  const memory = values.memory ?? null;
  const latency = values.latency ?? null;
  return {
    health: readEnvironmentHealth(envHealth),
    cpuPercent: busiestCpuPercent(instances),
    memoryPercent: memory === null ? null : Math.round(memory * 10) / 10,
    instanceIds,
    // TargetResponseTime is in seconds.
    alb: group ? { p95LatencyMs: latency === null ? null : Math.round(latency * 1000 * 10) / 10 } : null,
  };
}

/**
 * The gate metrics Elastic Beanstalk measured itself; absent ones are computed from the smoke
 * requests. Latency: with an ALB its TargetResponseTime p95 (null until a datapoint since the phase
 * became stable: inconclusive, never passed); without one, kept simple, enhanced health's figure
 * under its honest name (the gate's p95 threshold judges it, as slowest5PercentMeanLatencyMs).
 */
export function targetMetrics(health: EnvironmentHealth, alb: EnvironmentMeasurements['alb'] = null): NonNullable<Sample['metrics']> {
  const latency = alb
    ? { p95LatencyMs: alb.p95LatencyMs }
    : health.slowest5PercentMeanLatencyMs !== null
      ? { slowest5PercentMeanLatencyMs: health.slowest5PercentMeanLatencyMs }
      : {};
  return {
    ...latency,
    ...(health.http5xxPercent !== null ? { errorRatePercent: health.http5xxPercent } : {}),
  };
}
