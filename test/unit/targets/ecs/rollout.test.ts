import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { RegisterTaskDefinitionCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { ModifyTargetGroupCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Server } from 'node:http';
import { RollbackFailedError } from '../../../../lib/errors.js';
import { EcsTarget } from '../../../../lib/targets/ecs/target.js';
import { ProbeState } from '../../../../lib/targets/types.js';
import { awsPlan, closeServer, fakeService, testClock } from '../aws-plans.js';
import { commandNames, releaseOf, runPhases, runRestore } from '../drive.js';
import { CLUSTER, FakeEcs, LB_ARN, OLD, SERVICE, TG_ARN, ecsTarget, mockEcsClients, tdArn } from './fake-ecs.js';

const { ecs, elb, cw } = mockEcsClients();
let server: Server;
let host: string;

beforeAll(async () => ({ server, host } = await fakeService()));
afterAll(() => closeServer(server));

function setup(extra: Record<string, unknown> = {}) {
  const clock = testClock();
  const fake = new FakeEcs();
  fake.install(ecs, elb, cw);
  return { clock, fake, plan: awsPlan(ecsTarget(host, extra)), target: new EcsTarget({ clock }) };
}

describe('ECS: a full rollout, phase by phase', () => {
  it('sends exactly these commands, with these inputs', async () => {
    const { clock, fake, plan, target } = setup();
    const before = await target.current(plan);
    expect(before).toEqual({
      version: '1.1.0',
      digest: 'abc123',
      url: `http://${host}`,
      settings: { LOG_LEVEL: 'info', ML_AVAILABLE: 'true' },
      targetState: { taskDefinitionArn: OLD },
    });
    expect(commandNames(ecs)).toEqual(['DescribeServices', 'DescribeTaskDefinition']);
    ecs.resetHistory();

    const phases = await runPhases(target, plan, clock);
    expect(phases.map((p) => p.verdict.passed)).toEqual([true, true, true, true]);
    const deploy = ['DescribeServices', 'DescribeTaskDefinition', 'RegisterTaskDefinition', 'TagResource', 'UpdateService'];
    const settle = ['DescribeServices', 'DescribeServices'];
    const sample = ['DescribeServices'];
    expect(commandNames(ecs)).toEqual([
      ...deploy,
      ...settle,
      ...sample,
      ...deploy,
      ...settle,
      ...sample,
      ...deploy,
      ...settle,
      ...sample,
      // verify-metrics sets nothing new: the serving revision already has it all — nothing registered, no update.
      'DescribeServices',
      'DescribeTaskDefinition',
      'DescribeServices',
      ...sample,
    ]);
    // Target health once a deployment is COMPLETED; the target group (metric dimensions) per sample.
    expect(commandNames(elb)).toEqual(Array(4).fill(['DescribeTargetHealth', 'DescribeTargetGroups']).flat());
    expect(elb).not.toHaveReceivedCommand(ModifyTargetGroupCommand);

    const arns = phases.map((p) => p.deployment.targetState?.taskDefinitionArn);
    expect(arns).toEqual([tdArn(8), tdArn(9), tdArn(10), tdArn(10)]);
    const registered = ecs.commandCalls(RegisterTaskDefinitionCommand).map((c) => c.args[0].input);
    expect(registered[0]).toEqual({
      family: 'yoloflask-task-definition',
      taskRoleArn: 'arn:aws:iam::123456789012:role/yolo-task',
      executionRoleArn: 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole',
      networkMode: 'bridge',
      requiresCompatibilities: ['EC2'],
      cpu: '1024',
      memory: '2048',
      containerDefinitions: [
        {
          name: 'yoloflask-api',
          image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/yoloflask/api:prod',
          memory: 1024,
          portMappings: [{ containerPort: 5000 }],
          environment: [
            { name: 'LOG_LEVEL', value: 'info' },
            { name: 'ML_AVAILABLE', value: 'false' },
            { name: 'ML_ROLLOUT_VERSION', value: '1.2.0' },
            { name: 'ML_ROLLOUT_DIGEST', value: plan.digest },
            { name: 'PRELOAD_FAISS', value: 'false' },
          ],
        },
        { name: 'log-router', image: 'amazon/aws-for-fluent-bit:stable', essential: false },
      ],
      tags: [
        { key: 'team', value: 'vision' },
        { key: 'ml-rollout:environment', value: 'yolo-prod' },
        { key: 'ml-rollout:version', value: '1.2.0' },
        { key: 'ml-rollout:digest', value: plan.digest },
        { key: 'ml-rollout:phase', value: 'minimal' },
      ],
    });
    expect(registered.map((r) => r.tags?.find((t) => t.key === 'ml-rollout:phase')?.value)).toEqual([
      'minimal',
      'ml-dependencies',
      'faiss-scin',
    ]);
    expect(registered[2]!.containerDefinitions![0]!.environment).toEqual([
      { name: 'LOG_LEVEL', value: 'info' },
      { name: 'ML_AVAILABLE', value: 'true' },
      { name: 'ML_ROLLOUT_VERSION', value: '1.2.0' },
      { name: 'ML_ROLLOUT_DIGEST', value: plan.digest },
      { name: 'PRELOAD_FAISS', value: 'true' },
      { name: 'FAISS_DIMENSION', value: '512' },
    ]);
    expect(ecs.commandCalls(UpdateServiceCommand).map((c) => c.args[0].input)).toEqual(
      [8, 9, 10].map((r) => ({
        cluster: CLUSTER,
        service: SERVICE,
        taskDefinition: tdArn(r),
        deploymentConfiguration: {
          maximumPercent: 200,
          minimumHealthyPercent: 50,
          deploymentCircuitBreaker: { enable: true, rollback: true },
        },
      })),
    );
    expect(fake.serviceTags['ml-rollout:expected-task-definition']).toBe(tdArn(10));

    expect(cw).toHaveReceivedCommandTimes(GetMetricDataCommand, 4);
    const queries = cw.commandCalls(GetMetricDataCommand)[0]!.args[0].input.MetricDataQueries!;
    expect(queries.map((q) => [q.Id, q.MetricStat?.Metric?.Namespace, q.MetricStat?.Metric?.MetricName, q.MetricStat?.Stat])).toEqual([
      ['cpu', 'AWS/ECS', 'CPUUtilization', 'Maximum'],
      ['memory', 'AWS/ECS', 'MemoryUtilization', 'Maximum'],
      ['latency', 'AWS/ApplicationELB', 'TargetResponseTime', 'p95'],
      ['requests', 'AWS/ApplicationELB', 'RequestCount', 'Sum'],
      ['errors', 'AWS/ApplicationELB', 'HTTPCode_Target_5XX_Count', 'Sum'],
    ]);
    expect(queries[0]!.MetricStat!.Metric!.Dimensions).toEqual([
      { Name: 'ClusterName', Value: CLUSTER },
      { Name: 'ServiceName', Value: SERVICE },
    ]);
    expect(queries[2]!.MetricStat!.Metric!.Dimensions).toEqual([
      { Name: 'TargetGroup', Value: TG_ARN.split(':').pop() },
      { Name: 'LoadBalancer', Value: LB_ARN.split(':loadbalancer/').pop() },
    ]);
    expect(phases[3]!.sample).toMatchObject({
      health: { label: 'GET /health', status: 200, ok: true },
      requests: [{ label: 'POST /predict', status: 200, ok: true }],
      cpuPercent: 35.2,
      memoryPercent: 41.5,
      metrics: { p95LatencyMs: 420, errorRatePercent: 0 },
    });
    expect(phases[1]!.probes.map((p) => p.state)).toEqual([ProbeState.Pending, ProbeState.Stable]);
    expect(phases[1]!.probes[1]!.detail).toBe('yoloflask-task-definition:9 COMPLETED, 2 of 2 tasks running, 2 of 2 targets healthy');
    expect(await target.current(plan)).toMatchObject({
      version: '1.2.0',
      digest: plan.digest,
      settings: { LOG_LEVEL: 'info', ...plan.phases[3]!.settings },
    });
  });

  it('rolls back with one UpdateService to the snapshot task definition, circuit-breaker rollback off, then verifies', async () => {
    const { clock, fake, plan, target } = setup();
    const snapshot = releaseOf(plan, (await target.current(plan))!);
    await runPhases(target, plan, clock, 1);
    ecs.resetHistory();

    const probes = await runRestore(target, plan, snapshot, clock);
    expect(probes.map((p) => p.state)).toEqual([ProbeState.Pending, ProbeState.Stable]);
    expect(commandNames(ecs)).toEqual(['DescribeServices', 'TagResource', 'UpdateService', 'DescribeServices', 'DescribeServices']);
    expect(ecs).toHaveReceivedCommandWith(UpdateServiceCommand, {
      taskDefinition: OLD,
      deploymentConfiguration: {
        maximumPercent: 200,
        minimumHealthyPercent: 50,
        deploymentCircuitBreaker: { enable: true, rollback: false },
      },
    });
    expect(fake.primary()).toMatchObject({ taskDefinition: OLD, rolloutState: 'COMPLETED' });
    expect(fake.serviceTags['ml-rollout:expected-task-definition']).toBe(OLD);
    // Registered revisions stay: they are the rollout's history.
    expect([...fake.taskDefinitions.keys()]).toEqual([OLD, tdArn(8), tdArn(9)]);
  });

  it('a retried ApplyPhase registers nothing new and starts no second deployment', async () => {
    const { plan, target } = setup();
    await target.apply(plan, plan.phases[0]!);
    await target.apply(plan, plan.phases[0]!);
    expect(ecs).toHaveReceivedCommandTimes(RegisterTaskDefinitionCommand, 1);
    expect(ecs).toHaveReceivedCommandTimes(UpdateServiceCommand, 1);
  });

  it('sends health and smoke requests under the URL path prefix, and reports the load balancer DNS name when no URL is given', async () => {
    const { plan, target, clock } = setup({ url: `http://${host}/yoloapi` });
    const [minimal] = await runPhases(target, plan, clock, 0);
    expect(minimal!.sample.health).toMatchObject({ label: 'GET /yoloapi/health', status: 404, ok: false });

    const { url: _url, ...noUrl } = ecsTarget(host);
    const plain = awsPlan(noUrl);
    elb.resetHistory();
    const applied = await target.apply(plain, plain.phases[1]!);
    expect(applied.url).toBe('http://ecs-load-balancer-123.us-east-1.elb.amazonaws.com');
    expect(commandNames(elb)).toEqual(['DescribeTargetGroups', 'DescribeLoadBalancers']);
  });

  it('without a known-good release there is nothing to roll back to, and it says so', async () => {
    const { plan, target } = setup();
    await expect(target.restore(plan, null)).rejects.toThrow(RollbackFailedError);
    await expect(target.restore(plan, null)).rejects.toThrow(/update yoloflask-ecs-service to a known-good task definition by hand/);
    expect(ecs).not.toHaveReceivedCommand(UpdateServiceCommand);
  });
});
