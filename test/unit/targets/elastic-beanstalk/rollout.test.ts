import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  CreateApplicationVersionCommand,
  DescribeEnvironmentHealthCommand,
  UpdateEnvironmentCommand,
} from '@aws-sdk/client-elastic-beanstalk';
import type { Server } from 'node:http';
import { ElasticBeanstalkTarget } from '../../../../lib/targets/elastic-beanstalk/target.js';
import { ProbeState } from '../../../../lib/targets/types.js';
import { awsPlan, closeServer, fakeService, testClock } from '../aws-plans.js';
import { commandNames, releaseOf, runPhases, runRestore } from '../drive.js';
import { APP, ENV, FakeEb, mockEbClients } from './fake-eb.js';

const { eb, cw } = mockEbClients();

const TARGET = {
  type: 'elastic-beanstalk',
  environment: ENV,
  region: 'eu-west-1',
  application: APP,
  bucket: 'skin-bundles',
  instance: {
    instanceType: 'm5.2xlarge',
    rootVolumeSize: 100,
    rootVolumeType: 'gp3',
    rootVolumeIops: 3000,
    rootVolumeThroughput: 125,
    minSize: 1,
    maxSize: 3,
    cooldown: 300,
  },
};
const ENV_NS = 'aws:elasticbeanstalk:application:environment';
const LC = 'aws:autoscaling:launchconfiguration';
const ASG = 'aws:autoscaling:asg';
const EC2 = 'aws:ec2:instances';

let service: { host: string; server: Server };
beforeAll(async () => {
  service = await fakeService();
});
afterAll(async () => {
  await closeServer(service.server);
});

function setup() {
  const clock = testClock();
  const fake = new FakeEb(clock.now, service.host);
  fake.updatePolls = 2;
  fake.install(eb, cw);
  const plan = awsPlan(TARGET);
  const target = new ElasticBeanstalkTarget({ clock });
  return { clock, fake, plan, target, label: `1.2.0-${plan.digest.slice(0, 12)}` };
}

describe('Elastic Beanstalk: a full rollout, phase by phase', () => {
  it('sends exactly these commands, with these inputs', async () => {
    const { clock, plan, target, label } = setup();

    const before = await target.current(plan);
    expect(before).toMatchObject({
      version: '1.1.0',
      url: `http://${service.host}`,
      settings: { PYTHONUNBUFFERED: '1', FLASK_ENV: 'production', ML_AVAILABLE: 'false' },
    });
    expect(commandNames(eb)).toEqual(['DescribeEnvironments', 'DescribeConfigurationSettings', 'DescribeApplicationVersions']);
    eb.resetHistory();

    const phases = await runPhases(target, plan, clock);
    expect(phases.map((p) => p.verdict.passed)).toEqual([true, true, true, true]);
    const sample = ['DescribeEnvironments', 'DescribeEnvironmentHealth', 'DescribeInstancesHealth', 'DescribeEnvironmentResources'];
    expect(commandNames(eb)).toEqual([
      // minimal: the version from S3, then one update with the version, the settings and the instance upgrade
      'DescribeEnvironments',
      'DescribeConfigurationSettings',
      'DescribeApplicationVersions',
      'CreateApplicationVersion',
      'UpdateEnvironment',
      'DescribeEnvironments',
      'DescribeApplicationVersions', // Updating
      'DescribeEnvironments', // Ready, on the new version, Green
      ...sample,
      // ml-dependencies, faiss-scin: one UpdateEnvironment each
      'DescribeEnvironments',
      'DescribeConfigurationSettings',
      'UpdateEnvironment',
      'DescribeEnvironments',
      'DescribeEnvironments',
      ...sample,
      'DescribeEnvironments',
      'DescribeConfigurationSettings',
      'UpdateEnvironment',
      'DescribeEnvironments',
      'DescribeEnvironments',
      ...sample,
      // verify-metrics changes no setting: no update, no restart
      'DescribeEnvironments',
      'DescribeConfigurationSettings',
      'DescribeEnvironments',
      ...sample,
    ]);

    expect(eb).toHaveReceivedCommandWith(CreateApplicationVersionCommand, {
      ApplicationName: APP,
      VersionLabel: label,
      Description: `ml-rollout 1.2.0 sha256:${plan.digest}`,
      SourceBundle: { S3Bucket: 'skin-bundles', S3Key: `ml-rollout/bundles/skin-similarity/${label}.zip` },
      Process: true,
    });
    const updates = eb.commandCalls(UpdateEnvironmentCommand).map((c) => c.args[0].input);
    expect(updates).toEqual([
      {
        ApplicationName: APP,
        EnvironmentName: ENV,
        VersionLabel: label,
        OptionSettings: [
          { Namespace: ENV_NS, OptionName: 'PRELOAD_FAISS', Value: 'false' },
          // The current option for the instance type; the obsolete one the environment had is removed.
          { Namespace: EC2, OptionName: 'InstanceTypes', Value: 'm5.2xlarge' },
          { Namespace: LC, OptionName: 'RootVolumeSize', Value: '100' },
          { Namespace: LC, OptionName: 'RootVolumeType', Value: 'gp3' },
          { Namespace: LC, OptionName: 'RootVolumeIOPS', Value: '3000' },
          { Namespace: LC, OptionName: 'RootVolumeThroughput', Value: '125' },
          { Namespace: ASG, OptionName: 'MaxSize', Value: '3' },
          { Namespace: ASG, OptionName: 'Cooldown', Value: '300' },
        ],
        OptionsToRemove: [{ Namespace: LC, OptionName: 'InstanceType' }],
      },
      { ApplicationName: APP, EnvironmentName: ENV, OptionSettings: [{ Namespace: ENV_NS, OptionName: 'ML_AVAILABLE', Value: 'true' }] },
      {
        ApplicationName: APP,
        EnvironmentName: ENV,
        OptionSettings: [
          { Namespace: ENV_NS, OptionName: 'PRELOAD_FAISS', Value: 'true' },
          { Namespace: ENV_NS, OptionName: 'FAISS_DIMENSION', Value: '512' },
        ],
      },
    ]);

    // Enhanced health, instances and the agent's memory, in the gate's units.
    expect(eb).toHaveReceivedCommandWith(DescribeEnvironmentHealthCommand, { EnvironmentName: ENV, AttributeNames: ['All'] });
    expect(cw).toHaveReceivedCommandTimes(GetMetricDataCommand, 4);
    const last = phases[3]!;
    expect(last.sample).toMatchObject({
      health: { status: 200, ok: true },
      requests: [{ label: 'POST /predict', status: 200, ok: true }],
      cpuPercent: 46,
      memoryPercent: 61.2,
      metrics: { slowest5PercentMeanLatencyMs: 1204, errorRatePercent: 0.5 },
      cursor: { cpuTotal: 46, cpuSamples: 1 },
    });
    expect(last.verdict.checks.map((c) => [c.name, c.value, c.passed])).toEqual([
      ['health', 200, true],
      ['inferenceMs', expect.any(Number), true],
      ['memoryPercent', 61.2, true],
      ['errorRatePercent', 0.5, true],
      ['slowest5PercentMeanLatencyMs', 1204, true],
      ['cpuPercent', 46, true],
    ]);
    // What a later rollback of this release needs: its label, every variable and the instance options.
    expect(last.deployment.targetState).toEqual({
      versionLabel: label,
      environmentVariables: {
        PYTHONUNBUFFERED: '1',
        FLASK_ENV: 'production',
        ML_AVAILABLE: 'true',
        PRELOAD_FAISS: 'true',
        FAISS_DIMENSION: '512',
      },
      instanceOptions: [
        { namespace: EC2, name: 'InstanceTypes', value: 'm5.2xlarge' },
        { namespace: LC, name: 'InstanceType', value: null },
        { namespace: LC, name: 'RootVolumeSize', value: '100' },
        { namespace: LC, name: 'RootVolumeType', value: 'gp3' },
        { namespace: LC, name: 'RootVolumeIOPS', value: '3000' },
        { namespace: LC, name: 'RootVolumeThroughput', value: '125' },
        { namespace: ASG, name: 'MinSize', value: '1' },
        { namespace: ASG, name: 'MaxSize', value: '3' },
        { namespace: ASG, name: 'Cooldown', value: '300' },
      ],
    });
    const after = await target.current(plan);
    expect(after).toMatchObject({ version: '1.2.0', digest: plan.digest });
  });

  it('rolls back with one UpdateEnvironment to the snapshot version, variables and instance options, then verifies', async () => {
    const { clock, fake, plan, target } = setup();
    const snapshot = releaseOf(plan, (await target.current(plan))!);
    await runPhases(target, plan, clock);
    eb.resetHistory();

    const probes = await runRestore(target, plan, snapshot, clock);
    expect(probes.map((p) => p.state)).toEqual([ProbeState.Pending, ProbeState.Stable]);
    expect(commandNames(eb)).toEqual([
      'DescribeEnvironments',
      'DescribeConfigurationSettings',
      'UpdateEnvironment',
      'DescribeEnvironments', // Updating
      'DescribeEnvironments',
      'DescribeConfigurationSettings', // Ready and in sync: nothing to re-issue
    ]);
    expect(eb.commandCalls(UpdateEnvironmentCommand)[0]!.args[0].input).toEqual({
      ApplicationName: APP,
      EnvironmentName: ENV,
      VersionLabel: '1.1.0-0123456789ab',
      OptionSettings: [
        { Namespace: ENV_NS, OptionName: 'ML_AVAILABLE', Value: 'false' },
        // The snapshot's form: the obsolete option it had, and no InstanceTypes.
        { Namespace: LC, OptionName: 'InstanceType', Value: 't3.micro' },
        { Namespace: LC, OptionName: 'RootVolumeType', Value: 'gp2' },
        { Namespace: ASG, OptionName: 'MaxSize', Value: '1' },
        { Namespace: ASG, OptionName: 'Cooldown', Value: '360' },
      ],
      OptionsToRemove: [
        { Namespace: ENV_NS, OptionName: 'PRELOAD_FAISS' },
        { Namespace: ENV_NS, OptionName: 'FAISS_DIMENSION' },
        { Namespace: EC2, OptionName: 'InstanceTypes' },
        { Namespace: LC, OptionName: 'RootVolumeSize' },
        { Namespace: LC, OptionName: 'RootVolumeIOPS' },
        { Namespace: LC, OptionName: 'RootVolumeThroughput' },
      ],
    });
    expect(fake.env.VersionLabel).toBe('1.1.0-0123456789ab');
    expect(await target.current(plan)).toMatchObject({
      version: '1.1.0',
      settings: { PYTHONUNBUFFERED: '1', FLASK_ENV: 'production', ML_AVAILABLE: 'false' },
    });
  });

  it('a retried ApplyPhase after its update started waits for Ready instead of updating twice', async () => {
    const { plan, target } = setup();
    await target.apply(plan, plan.phases[0]!);
    await expect(target.apply(plan, plan.phases[0]!)).rejects.toMatchObject({
      name: 'TransientError',
      message: expect.stringMatching(/is Updating: minimal starts once it is Ready/),
    });
    expect(eb).toHaveReceivedCommandTimes(UpdateEnvironmentCommand, 1);
    expect(eb).toHaveReceivedCommandTimes(CreateApplicationVersionCommand, 1);
  });

  it('reuses an application version that already exists (the same bundle deployed again)', async () => {
    const { clock, fake, plan, target, label } = setup();
    fake.versions.set(label, { status: 'PROCESSED', created: new Date(clock.now() - 3_600_000), processingPolls: 0 });
    await target.apply(plan, plan.phases[0]!);
    expect(eb).not.toHaveReceivedCommand(CreateApplicationVersionCommand);
    expect(eb).toHaveReceivedCommandWith(UpdateEnvironmentCommand, { VersionLabel: label });
  });
});
