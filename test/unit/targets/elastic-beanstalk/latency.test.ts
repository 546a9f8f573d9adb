import { GetMetricDataCommand, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { DescribeEnvironmentResourcesCommand } from '@aws-sdk/client-elastic-beanstalk';
import { DescribeTargetGroupsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Server } from 'node:http';
import { measurementsOf, accumulate } from '../../../../lib/gates/bake.js';
import { ElasticBeanstalkTarget } from '../../../../lib/targets/elastic-beanstalk/target.js';
import { awsPlan, closeServer, fakeService, testClock } from '../aws-plans.js';
import { runPhases } from '../drive.js';
import { APP, ENV, FakeEb, mockEbClients } from './fake-eb.js';

const { eb, cw, elb } = mockEbClients();

const TARGET = { type: 'elastic-beanstalk', environment: ENV, region: 'eu-west-1', application: APP, bucket: 'skin-bundles' };
const ALB = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/awseb-AWSEB-1XYZ/50dc6c495c0c9188';

let service: { host: string; server: Server };
beforeAll(async () => {
  service = await fakeService();
});
afterAll(async () => {
  await closeServer(service.server);
});

function setup(loadBalancer: string | null) {
  const clock = testClock();
  const fake = new FakeEb(clock.now, service.host);
  fake.loadBalancer = loadBalancer;
  fake.install(eb, cw, elb);
  return { clock, fake, plan: awsPlan(TARGET), target: new ElasticBeanstalkTarget({ clock }) };
}

function latencyQueries(): { query: MetricDataQuery }[] {
  return cw
    .commandCalls(GetMetricDataCommand)
    .flatMap((c) => (c.args[0].input.MetricDataQueries ?? []).filter((q) => q.Id === 'latency').map((query) => ({ query })));
}

describe('Elastic Beanstalk latency: a true p95 where there is one', () => {
  it('with an Application Load Balancer, reads its target group TargetResponseTime p95 (s → ms), only since the phase became stable', async () => {
    const { clock, fake, plan, target } = setup(ALB);
    const phases = await runPhases(target, plan, clock);
    expect(phases.map((p) => p.verdict.passed)).toEqual(plan.phases.map(() => true));

    expect(eb).toHaveReceivedCommandWith(DescribeEnvironmentResourcesCommand, { EnvironmentName: ENV });
    expect(elb).toHaveReceivedCommandWith(DescribeTargetGroupsCommand, { LoadBalancerArn: ALB });
    const queries = latencyQueries();
    expect(queries).toHaveLength(plan.phases.length);
    for (const { query } of queries) {
      expect(query.MetricStat).toEqual({
        Metric: {
          Namespace: 'AWS/ApplicationELB',
          MetricName: 'TargetResponseTime',
          Dimensions: [
            { Name: 'TargetGroup', Value: 'targetgroup/awseb-AWSEB-1ABC/0123456789abcdef' },
            { Name: 'LoadBalancer', Value: 'app/awseb-AWSEB-1XYZ/50dc6c495c0c9188' },
          ],
        },
        Period: 60,
        Stat: 'p95',
      });
    }
    // The newest datapoint (0.412 s) counts; the one stamped before the phase became stable (9.9 s) never does.
    const last = phases.at(-1)!;
    expect(last.sample.metricsSince).toBe(last.sample.at);
    expect(last.sample.metrics).toEqual({ p95LatencyMs: 412, errorRatePercent: 0.5 });
    expect(last.verdict.checks.find((c) => c.name === 'p95LatencyMs')).toMatchObject({ value: 412, passed: true, unit: 'ms' });
    expect(last.verdict.checks.map((c) => c.name)).not.toContain('slowest5PercentMeanLatencyMs');
    expect(fake.health.ApplicationMetrics?.Latency?.P95).toBe(1.204);
  });

  it('with an ALB but no TargetResponseTime datapoint since the phase became stable, p95 is inconclusive and fails the gate', async () => {
    const { clock, fake, plan, target } = setup(ALB);
    fake.albP95Seconds = null;
    // Only the last default phase (verify-metrics) sets a p95 threshold: the earlier ones pass, it fails.
    const phases = await runPhases(target, plan, clock);
    expect(phases.map((p) => p.verdict.passed)).toEqual([true, true, true, false]);
    const last = phases.at(-1)!;
    expect(last.sample.metrics).toMatchObject({ p95LatencyMs: null });
    const failed = last.verdict.checks.filter((c) => !c.passed);
    expect(failed).toEqual([
      {
        name: 'p95LatencyMs',
        value: null,
        threshold: 10000,
        passed: false,
        inconclusive: true,
        unit: 'ms',
        noDataSince: new Date(last.sample.at).toISOString(),
      },
    ]);
  });

  it.each([
    ['a classic load balancer (named, not an ARN)', 'awseb-e-a-AWSEBLoa-1ABCDEF'],
    ['no load balancer (single instance)', null],
  ])('with %s, reports enhanced health P95 as slowest5PercentMeanLatencyMs, judged by the p95 threshold', async (_what, lb) => {
    const { clock, plan, target } = setup(lb);
    const phases = await runPhases(target, plan, clock);
    expect(elb).not.toHaveReceivedCommand(DescribeTargetGroupsCommand);
    expect(latencyQueries()).toEqual([]);
    const last = phases.at(-1)!;
    expect(last.sample.metrics).toEqual({ slowest5PercentMeanLatencyMs: 1204, errorRatePercent: 0.5 });
    const phase = plan.phases.at(-1)!;
    const check = last.verdict.checks.find((c) => c.name === 'slowest5PercentMeanLatencyMs');
    expect(check).toMatchObject({ value: 1204, threshold: phase.gate.p95LatencyMs, passed: true, unit: 'ms' });
    expect(last.verdict.checks.map((c) => c.name)).not.toContain('p95LatencyMs');
    // The report carries the figure under its own name too.
    expect(measurementsOf(accumulate(null, last.sample, phase))).toMatchObject({ slowest5PercentMeanLatencyMs: 1204 });
  });
});
