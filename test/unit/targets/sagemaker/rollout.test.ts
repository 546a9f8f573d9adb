import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DeleteEndpointCommand,
  UpdateEndpointCommand,
} from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand } from '@aws-sdk/client-sagemaker-runtime';
import { RollbackFailedError } from '../../../../lib/errors.js';
import { SageMakerTarget } from '../../../../lib/targets/sagemaker/target.js';
import { ProbeState } from '../../../../lib/targets/types.js';
import { awsPlan, digestOf, testClock } from '../aws-plans.js';
import { commandNames, releaseOf, runPhases, runRestore } from '../drive.js';
import { ENDPOINT, FakeSageMaker, SM_TARGET, mockSageMakerClients } from './fake-sagemaker.js';

const { sm, runtime, cw } = mockSageMakerClients();

const OLD = 'skin-sm-1-1-0-p3-0a0b0c0d';
const OLD_DIGEST = digestOf('bundle 1.1.0');

function setup(existing = true) {
  const clock = testClock();
  const fake = new FakeSageMaker();
  fake.install(sm, runtime, cw);
  if (existing) {
    fake.existing(
      OLD,
      { ML_AVAILABLE: 'true', PRELOAD_FAISS: 'true', FAISS_DIMENSION: '256', ML_ROLLOUT_VERSION: '1.1.0', ML_ROLLOUT_DIGEST: OLD_DIGEST },
      { 'ml-rollout:expected-config': OLD },
    );
  }
  return { clock, fake, plan: awsPlan(SM_TARGET), target: new SageMakerTarget({ clock }) };
}

describe('SageMaker: a full rollout, phase by phase', () => {
  it('sends exactly these commands, with these inputs', async () => {
    const { clock, plan, target } = setup();
    const before = await target.current(plan);
    expect(before).toEqual({
      version: '1.1.0',
      digest: OLD_DIGEST,
      url: null,
      settings: { ML_AVAILABLE: 'true', PRELOAD_FAISS: 'true', FAISS_DIMENSION: '256' },
      targetState: { endpointConfigName: OLD },
    });
    expect(commandNames(sm)).toEqual(['DescribeEndpoint', 'DescribeEndpointConfig', 'DescribeModel']);
    sm.resetHistory();

    const phases = await runPhases(target, plan, clock);
    expect(phases.map((p) => p.verdict.passed)).toEqual([true, true, true, true]);
    const deploy = ['DescribeEndpoint', 'CreateModel', 'CreateEndpointConfig', 'AddTags', 'UpdateEndpoint'];
    const settle = ['DescribeEndpoint', 'DescribeEndpoint', 'ListTags'];
    expect(commandNames(sm)).toEqual([
      ...deploy,
      ...settle,
      'DescribeEndpoint',
      ...deploy,
      ...settle,
      'DescribeEndpoint',
      ...deploy,
      ...settle,
      'DescribeEndpoint',
      // verify-metrics sets nothing new: the endpoint already serves its config
      'DescribeEndpoint',
      'AddTags',
      'DescribeEndpoint',
      'ListTags',
      'DescribeEndpoint',
    ]);

    const names = phases.map((p) => p.deployment.targetState?.endpointConfigName as string);
    expect(names[0]).toMatch(/^skin-sm-1-2-0-p0-[0-9a-f]{8}$/);
    expect(names[1]).toMatch(/^skin-sm-1-2-0-p1-[0-9a-f]{8}$/);
    expect(names[2]).toMatch(/^skin-sm-1-2-0-p2-[0-9a-f]{8}$/);
    expect(names[3]).toBe(names[2]);

    expect(sm.commandCalls(CreateModelCommand).map((c) => c.args[0].input)).toEqual(
      [0, 1, 2].map((i) => ({
        ModelName: names[i],
        ExecutionRoleArn: SM_TARGET.executionRoleArn,
        PrimaryContainer: {
          Image: SM_TARGET.image,
          ModelDataUrl: SM_TARGET.modelDataUrl,
          Environment: { ...plan.phases[i]!.settings, ML_ROLLOUT_VERSION: '1.2.0', ML_ROLLOUT_DIGEST: plan.digest },
        },
      })),
    );
    expect(sm).toHaveReceivedCommandWith(CreateEndpointConfigCommand, {
      EndpointConfigName: names[0],
      ProductionVariants: [
        { VariantName: 'AllTraffic', ModelName: names[0], InitialInstanceCount: 1, InstanceType: 'ml.m5.xlarge', InitialVariantWeight: 1 },
      ],
    });
    expect(sm.commandCalls(UpdateEndpointCommand).map((c) => c.args[0].input)).toEqual(
      [0, 1, 2].map((i) => ({
        EndpointName: ENDPOINT,
        EndpointConfigName: names[i],
        DeploymentConfig: {
          BlueGreenUpdatePolicy: {
            TrafficRoutingConfiguration: { Type: 'ALL_AT_ONCE', WaitIntervalInSeconds: 300 },
            TerminationWaitInSeconds: 0,
            MaximumExecutionTimeoutInSeconds: 1800,
          },
          AutoRollbackConfiguration: { Alarms: [{ AlarmName: 'skin-5xx' }] },
        },
      })),
    );
    expect(sm).not.toHaveReceivedCommand(CreateEndpointCommand);

    // Smoke requests as InvokeEndpoint calls (none in minimal: smoke false), CloudWatch per sample.
    expect(runtime).toHaveReceivedCommandTimes(InvokeEndpointCommand, 3);
    expect(runtime).toHaveReceivedCommandWith(InvokeEndpointCommand, {
      EndpointName: ENDPOINT,
      ContentType: 'application/json',
      CustomAttributes: 'path=/predict',
      Body: new TextEncoder().encode('{"embedding":[0.1,0.2]}'),
    });
    expect(cw).toHaveReceivedCommandTimes(GetMetricDataCommand, 4);
    const queries = cw.commandCalls(GetMetricDataCommand)[0]!.args[0].input.MetricDataQueries!;
    expect(queries.map((q) => [q.Id, q.MetricStat?.Metric?.Namespace, q.MetricStat?.Metric?.MetricName, q.MetricStat?.Stat])).toEqual([
      ['latency', 'AWS/SageMaker', 'ModelLatency', 'p95'],
      ['invocations', 'AWS/SageMaker', 'Invocations', 'Sum'],
      ['errors', 'AWS/SageMaker', 'Invocation5XXErrors', 'Sum'],
      ['cpu', '/aws/sagemaker/Endpoints', 'CPUUtilization', 'Maximum'],
      ['memory', '/aws/sagemaker/Endpoints', 'MemoryUtilization', 'Maximum'],
    ]);
    expect(queries[0]!.MetricStat!.Metric!.Dimensions).toEqual([
      { Name: 'EndpointName', Value: ENDPOINT },
      { Name: 'VariantName', Value: 'AllTraffic' },
    ]);
    expect(phases[3]!.sample).toMatchObject({
      health: { label: `endpoint ${ENDPOINT}`, ok: true },
      requests: [{ label: 'POST /predict', status: 200, ok: true }],
      cpuPercent: 40, // 160 % over 4 vCPUs
      memoryPercent: 42.5,
      metrics: { p95LatencyMs: 850, errorRatePercent: 0 },
    });
    expect(await target.current(plan)).toMatchObject({ version: '1.2.0', digest: plan.digest, settings: plan.phases[3]!.settings });
  });

  it('rolls back with one UpdateEndpoint to the snapshot config, alarms left out, then verifies', async () => {
    const { clock, fake, plan, target } = setup();
    const snapshot = releaseOf(plan, (await target.current(plan))!);
    await runPhases(target, plan, clock, 1);
    sm.resetHistory();

    const probes = await runRestore(target, plan, snapshot, clock);
    expect(probes.map((p) => p.state)).toEqual([ProbeState.Pending, ProbeState.Stable]);
    expect(commandNames(sm)).toEqual(['DescribeEndpoint', 'AddTags', 'UpdateEndpoint', 'DescribeEndpoint', 'DescribeEndpoint']);
    expect(sm).toHaveReceivedCommandWith(UpdateEndpointCommand, {
      EndpointName: ENDPOINT,
      EndpointConfigName: OLD,
      DeploymentConfig: {
        BlueGreenUpdatePolicy: {
          TrafficRoutingConfiguration: { Type: 'ALL_AT_ONCE', WaitIntervalInSeconds: 0 },
          TerminationWaitInSeconds: 0,
          MaximumExecutionTimeoutInSeconds: 1800,
        },
      },
    });
    expect(fake.endpoint).toMatchObject({ status: 'InService', config: OLD, tags: { 'ml-rollout:expected-config': OLD } });
  });

  it('a retried ApplyPhase creates no duplicates and starts no second update', async () => {
    const { plan, target } = setup();
    await target.apply(plan, plan.phases[0]!);
    await target.apply(plan, plan.phases[0]!);
    expect(sm).toHaveReceivedCommandTimes(CreateModelCommand, 1);
    expect(sm).toHaveReceivedCommandTimes(UpdateEndpointCommand, 1);
  });
});

describe('SageMaker: a first deployment', () => {
  it('creates the endpoint, tagged as created by this rollout', async () => {
    const { clock, plan, target } = setup(false);
    expect(await target.current(plan)).toBeNull();
    const [first] = await runPhases(target, plan, clock, 0);
    expect(first?.probes.map((p) => p.state)).toEqual([ProbeState.Pending, ProbeState.Stable]);
    const name = first?.deployment.targetState?.endpointConfigName;
    expect(sm).toHaveReceivedCommandWith(CreateEndpointCommand, {
      EndpointName: ENDPOINT,
      EndpointConfigName: name,
      Tags: [
        { Key: 'ml-rollout:expected-config', Value: name },
        { Key: 'ml-rollout:created-by', Value: `1.2.0/${plan.digest.slice(0, 12)}` },
      ],
    });
    expect(sm).not.toHaveReceivedCommand(UpdateEndpointCommand);
  });

  it('is rolled back by deleting the endpoint it created', async () => {
    const { clock, fake, plan, target } = setup(false);
    await runPhases(target, plan, clock, 1);
    sm.resetHistory();
    expect(await target.restore(plan, null)).toBeNull();
    const probes = await runRestore(target, plan, null, clock);
    expect(sm).toHaveReceivedCommandWith(DeleteEndpointCommand, { EndpointName: ENDPOINT });
    expect(probes.at(-1)).toEqual({ state: ProbeState.Stable, detail: `endpoint ${ENDPOINT} deleted` });
    expect(fake.endpoint).toBeNull();
  });

  it('never deletes an endpoint that served before this rollout', async () => {
    const { plan, target } = setup(true);
    await expect(target.restore(plan, null)).rejects.toThrow(RollbackFailedError);
    await expect(target.restore(plan, null)).rejects.toThrow(/existed before this rollout: left on skin-sm-1-1-0-p3-0a0b0c0d/);
    expect(sm).not.toHaveReceivedCommand(DeleteEndpointCommand);
  });
});
