import { AbortEnvironmentUpdateCommand, DescribeInstancesHealthCommand, UpdateEnvironmentCommand } from '@aws-sdk/client-elastic-beanstalk';
import type { Server } from 'node:http';
import { ElasticBeanstalkTarget } from '../../../../lib/targets/elastic-beanstalk/target.js';
import { ProbeState } from '../../../../lib/targets/types.js';
import { awsPlan, closeServer, fakeService, testClock } from '../aws-plans.js';
import { commandNames, releaseOf, runPhases, untilSettled } from '../drive.js';
import { APP, ENV, FakeEb, mockEbClients } from './fake-eb.js';

const { eb, cw } = mockEbClients();

const TARGET = { type: 'elastic-beanstalk', environment: ENV, region: 'eu-west-1', application: APP, bucket: 'skin-bundles' };
const CMD = 'aws:elasticbeanstalk:command';
const TS = 'aws:elasticbeanstalk:trafficsplitting';
const ENV_NS = 'aws:elasticbeanstalk:application:environment';
const OLD = '1.1.0-0123456789ab';

let service: { host: string; server: Server };
beforeAll(async () => {
  service = await fakeService();
});
afterAll(async () => {
  await closeServer(service.server);
});

function setup(target: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const clock = testClock();
  const fake = new FakeEb(clock.now, service.host);
  fake.updatePolls = 2;
  // The environment's own policy, which the rollout must put back.
  fake.options.push({ Namespace: CMD, OptionName: 'DeploymentPolicy', Value: 'AllAtOnce' });
  fake.install(eb, cw);
  const plan = awsPlan({ ...TARGET, ...target }, extra);
  return { clock, fake, plan, target: new ElasticBeanstalkTarget({ clock }), label: `1.2.0-${plan.digest.slice(0, 12)}` };
}

/** Instances as DescribeInstancesHealth reports them during a traffic-splitting evaluation: the old two, and the new fleet. */
function evaluating(fake: FakeEb, label: string, healthyNew: number) {
  fake.instances = [
    { InstanceId: 'i-old1', Deployment: { VersionLabel: OLD }, Color: 'Green', HealthStatus: 'Ok' },
    { InstanceId: 'i-old2', Deployment: { VersionLabel: OLD }, Color: 'Green', HealthStatus: 'Ok' },
    {
      InstanceId: 'i-new1',
      Deployment: { VersionLabel: label },
      Color: healthyNew > 0 ? 'Green' : 'Grey',
      HealthStatus: healthyNew > 0 ? 'Ok' : 'Pending',
    },
    {
      InstanceId: 'i-new2',
      Deployment: { VersionLabel: label },
      Color: healthyNew > 1 ? 'Green' : 'Grey',
      HealthStatus: healthyNew > 1 ? 'Ok' : 'Pending',
    },
  ] as never;
}

describe('Elastic Beanstalk: target.deploymentPolicy', () => {
  it("sets the policy and batch size with the version, and puts the environment's own policy back at the end", async () => {
    const { clock, plan, target, label } = setup({ deploymentPolicy: 'Rolling', batchSize: 25 });
    const snapshot = releaseOf(plan, (await target.current(plan))!);
    expect(snapshot.targetState).toMatchObject({
      policyOptions: [
        { namespace: CMD, name: 'DeploymentPolicy', value: 'AllAtOnce' },
        { namespace: CMD, name: 'BatchSizeType', value: null },
        { namespace: CMD, name: 'BatchSize', value: null },
        { namespace: TS, name: 'NewVersionPercent', value: null },
        { namespace: TS, name: 'EvaluationTime', value: null },
      ],
    });
    const phases = await runPhases(target, plan, clock);
    expect(phases.map((p) => p.verdict.passed)).toEqual([true, true, true, true]);
    const updates = eb.commandCalls(UpdateEnvironmentCommand).map((c) => c.args[0].input);
    expect(updates[0]).toEqual({
      ApplicationName: APP,
      EnvironmentName: ENV,
      VersionLabel: label,
      OptionSettings: [
        { Namespace: ENV_NS, OptionName: 'PRELOAD_FAISS', Value: 'false' },
        { Namespace: CMD, OptionName: 'DeploymentPolicy', Value: 'Rolling' },
        { Namespace: CMD, OptionName: 'BatchSizeType', Value: 'Percentage' },
        { Namespace: CMD, OptionName: 'BatchSize', Value: '25' },
      ],
    });
    // Later phases change their settings only: the policy is already the rollout's.
    expect(updates.slice(1).map((u) => u.OptionSettings?.map((o) => o.OptionName))).toEqual([
      ['ML_AVAILABLE'],
      ['PRELOAD_FAISS', 'FAISS_DIMENSION'],
    ]);

    eb.resetHistory();
    clock.advance(60_000);
    const recorded = await target.finish(plan, snapshot);
    expect(commandNames(eb)).toEqual(['DescribeConfigurationSettings', 'DescribeEnvironments', 'UpdateEnvironment']);
    expect(eb.commandCalls(UpdateEnvironmentCommand)[0]!.args[0].input).toEqual({
      ApplicationName: APP,
      EnvironmentName: ENV,
      OptionSettings: [{ Namespace: CMD, OptionName: 'DeploymentPolicy', Value: 'AllAtOnce' }],
      OptionsToRemove: [
        { Namespace: CMD, OptionName: 'BatchSizeType' },
        { Namespace: CMD, OptionName: 'BatchSize' },
      ],
    });
    // The new known-good records the environment's own policy, for the next rollout's rollback.
    expect(recorded).toEqual({ policyOptions: snapshot.targetState?.policyOptions });
  });

  it('a rollback puts the own policy back with the release', async () => {
    const { clock, fake, plan, target } = setup({ deploymentPolicy: 'Immutable' });
    const snapshot = releaseOf(plan, (await target.current(plan))!);
    await runPhases(target, plan, clock, 0);
    expect(fake.option(CMD, 'DeploymentPolicy')).toBe('Immutable');
    eb.resetHistory();
    await target.restore(plan, snapshot);
    expect(eb.commandCalls(UpdateEnvironmentCommand)[0]!.args[0].input).toMatchObject({
      VersionLabel: OLD,
      OptionSettings: expect.arrayContaining([{ Namespace: CMD, OptionName: 'DeploymentPolicy', Value: 'AllAtOnce' }]),
    });
  });
});

describe('Elastic Beanstalk: traffic.strategy canary is TrafficSplitting', () => {
  const canary = { traffic: { strategy: 'canary', steps: [10], stepSeconds: 300 } };

  it('deploys with NewVersionPercent = the step and EvaluationTime = stepSeconds in minutes; the gate samples during the evaluation', async () => {
    const { fake, plan, target, label } = setup({}, canary);
    fake.updatePolls = 6;
    const phase = plan.phases[0]!;
    await target.apply(plan, phase);
    expect(eb.commandCalls(UpdateEnvironmentCommand)[0]!.args[0].input).toEqual({
      ApplicationName: APP,
      EnvironmentName: ENV,
      VersionLabel: label,
      OptionSettings: [
        { Namespace: ENV_NS, OptionName: 'PRELOAD_FAISS', Value: 'false' },
        { Namespace: CMD, OptionName: 'DeploymentPolicy', Value: 'TrafficSplitting' },
        { Namespace: TS, OptionName: 'NewVersionPercent', Value: '10' },
        { Namespace: TS, OptionName: 'EvaluationTime', Value: '5' },
      ],
    });

    eb.resetHistory();
    evaluating(fake, label, 0);
    const launching = await target.probe(plan);
    expect(launching.state).toBe(ProbeState.Pending);
    evaluating(fake, label, 2);
    const probe = await target.probe(plan);
    expect(probe).toEqual({
      state: ProbeState.Stable,
      detail: `${ENV}: traffic splitting, 10 % of requests on ${label} (2 healthy new instances), evaluating`,
    });
    expect(commandNames(eb)).toEqual([
      'DescribeEnvironments',
      'DescribeInstancesHealth', // new instances not healthy yet
      'DescribeApplicationVersions',
      'DescribeEnvironments',
      'DescribeInstancesHealth', // healthy beside the old ones: the evaluation runs
    ]);
    expect(eb).toHaveReceivedCommandWith(DescribeInstancesHealthCommand, {
      EnvironmentName: ENV,
      AttributeNames: ['Deployment', 'HealthStatus', 'Color'],
    });

    // While Elastic Beanstalk still splits, the window stays open; once it is Ready on the version, it may close.
    const during = await target.sample(plan, phase, null);
    expect(during).toMatchObject({ settled: false, health: { ok: true } });
    for (let i = 0; i < 6; i++) await target.health(plan);
    const after = await target.sample(plan, phase, null);
    expect(after).toMatchObject({ settled: true, health: { ok: true } });
  });

  it('a failed gate during the evaluation aborts the update, then the rollback is verified with the own policy back', async () => {
    const { clock, fake, plan, target, label } = setup({}, canary);
    const snapshot = releaseOf(plan, (await target.current(plan))!);
    fake.updatePolls = 4;
    await target.apply(plan, plan.phases[0]!);
    evaluating(fake, label, 2);
    expect((await target.probe(plan)).state).toBe(ProbeState.Stable);

    eb.resetHistory();
    await target.restore(plan, snapshot);
    expect(commandNames(eb)).toEqual(['DescribeEnvironments', 'AbortEnvironmentUpdate']);
    expect(eb).toHaveReceivedCommandWith(AbortEnvironmentUpdateCommand, { EnvironmentName: ENV });

    const probes = await untilSettled(() => target.probeRestored(plan, snapshot), clock, plan.pollSeconds);
    expect(probes.at(-1)?.state).toBe(ProbeState.Stable);
    expect(fake.env.VersionLabel).toBe(OLD);
    const restore = eb.commandCalls(UpdateEnvironmentCommand).map((c) => c.args[0].input);
    expect(restore).toHaveLength(1);
    expect(restore[0]).toEqual({
      ApplicationName: APP,
      EnvironmentName: ENV,
      // The variable the phase added goes (the snapshot had none), and the environment's own policy comes back.
      OptionSettings: [{ Namespace: CMD, OptionName: 'DeploymentPolicy', Value: 'AllAtOnce' }],
      OptionsToRemove: [
        { Namespace: ENV_NS, OptionName: 'PRELOAD_FAISS' },
        { Namespace: TS, OptionName: 'NewVersionPercent' },
        { Namespace: TS, OptionName: 'EvaluationTime' },
      ],
    });
  });
});
