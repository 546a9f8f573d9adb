import { AbortEnvironmentUpdateCommand, UpdateEnvironmentCommand } from '@aws-sdk/client-elastic-beanstalk';
import { PhaseFailedError, RollbackFailedError } from '../../../../lib/errors.js';
import { ElasticBeanstalkTarget } from '../../../../lib/targets/elastic-beanstalk/target.js';
import { ProbeState } from '../../../../lib/targets/types.js';
import { awsPlan, testClock } from '../aws-plans.js';
import { commandNames, releaseOf, untilSettled } from '../drive.js';
import { APP, ENV, FakeEb, mockEbClients } from './fake-eb.js';

const { eb, cw } = mockEbClients();
const TARGET = { type: 'elastic-beanstalk', environment: ENV, region: 'eu-west-1', application: APP, bucket: 'skin-bundles' };

function setup() {
  const clock = testClock();
  const fake = new FakeEb(clock.now, 'skin-prod.eu-west-1.elasticbeanstalk.com');
  fake.install(eb, cw);
  const plan = awsPlan(TARGET);
  const target = new ElasticBeanstalkTarget({ clock });
  return { clock, fake, plan, target, label: `1.2.0-${plan.digest.slice(0, 12)}` };
}

describe('Elastic Beanstalk: the application version', () => {
  it('still processing when apply returns: the probe deploys it once PROCESSED', async () => {
    const { clock, fake, plan, target, label } = setup();
    fake.processingPolls = 2;
    fake.updatePolls = 2;
    const d = await target.apply(plan, plan.phases[0]!);
    expect(d).toMatchObject({
      version: '1.2.0',
      url: 'http://skin-prod.eu-west-1.elasticbeanstalk.com',
      targetState: { versionLabel: label },
    });
    expect(eb).not.toHaveReceivedCommand(UpdateEnvironmentCommand);
    eb.resetHistory();

    const probes = await untilSettled(() => target.probe(plan), clock, plan.pollSeconds);
    expect(probes.map((p) => p.detail)).toEqual([
      `application version ${label} is processing`,
      `application version ${label} is processing`,
      `deploying application version ${label}`,
      `environment Updating`,
      `Ready, health Green (Ok), version ${label}`,
    ]);
    expect(commandNames(eb)).toEqual([
      'DescribeEnvironments',
      'DescribeApplicationVersions',
      'DescribeEnvironments',
      'DescribeApplicationVersions',
      'DescribeEnvironments',
      'DescribeApplicationVersions',
      'DescribeConfigurationSettings',
      'UpdateEnvironment',
      'DescribeEnvironments',
      'DescribeApplicationVersions',
      'DescribeEnvironments',
    ]);
    expect(eb).toHaveReceivedCommandWith(UpdateEnvironmentCommand, {
      VersionLabel: label,
      OptionSettings: [{ Namespace: 'aws:elasticbeanstalk:application:environment', OptionName: 'PRELOAD_FAISS', Value: 'false' }],
    });
  });

  it('FAILED processing fails the phase: at apply, or later at the probe', async () => {
    const { fake, plan, target, label } = setup();
    fake.versions.set(label, { status: 'FAILED', created: new Date(), processingPolls: 0 });
    await expect(target.apply(plan, plan.phases[0]!)).rejects.toThrow(PhaseFailedError);
    await expect(target.apply(plan, plan.phases[0]!)).rejects.toThrow(`minimal: application version ${label} failed processing`);
    expect(await target.probe(plan)).toEqual({
      state: ProbeState.Failed,
      detail: `application version ${label} failed processing (see the application's events)`,
    });
    expect(eb).not.toHaveReceivedCommand(UpdateEnvironmentCommand);
  });

  it('a deployment Elastic Beanstalk rolled back by itself fails the phase (never a silent pass on the old version)', async () => {
    const { clock, fake, plan, target, label } = setup();
    fake.revertNextDeployment = true;
    await target.apply(plan, plan.phases[0]!);
    const probes = await untilSettled(() => target.probe(plan), clock, plan.pollSeconds);
    expect(probes.at(-1)).toEqual({
      state: ProbeState.Failed,
      detail: `Elastic Beanstalk did not keep application version ${label}: the environment serves 1.1.0-0123456789ab (see its events)`,
    });
    expect(eb).toHaveReceivedCommandTimes(UpdateEnvironmentCommand, 1);
  });

  it('Red after a deployment stays pending: the phase deadline decides, not one probe', async () => {
    const { clock, fake, plan, target } = setup();
    await target.apply(plan, plan.phases[0]!);
    fake.env.Health = 'Red';
    fake.env.HealthStatus = 'Severe';
    const probes = await untilSettled(() => target.probe(plan), clock, plan.pollSeconds, 4);
    expect(probes.at(-1)).toEqual({ state: ProbeState.Pending, detail: 'Ready, health Red (Severe)' });
  });

  it('a terminated environment fails the phase', async () => {
    const { fake, plan, target } = setup();
    fake.env.Status = 'Terminating';
    expect((await target.probe(plan)).state).toBe(ProbeState.Failed);
  });
});

describe('Elastic Beanstalk: rollback edge cases', () => {
  it('mid-update (a missed deadline): aborts the update, then restores once Ready', async () => {
    const { clock, fake, plan, target } = setup();
    const snapshot = releaseOf(plan, (await target.current(plan))!);
    fake.updatePolls = 2;
    await target.apply(plan, plan.phases[0]!);
    fake.updatePolls = 1;
    eb.resetHistory();

    await target.restore(plan, snapshot);
    expect(commandNames(eb)).toEqual(['DescribeEnvironments', 'AbortEnvironmentUpdate']);
    expect(eb).toHaveReceivedCommandWith(AbortEnvironmentUpdateCommand, { EnvironmentName: ENV });
    const probes = await untilSettled(() => target.probeRestored(plan, snapshot), clock, plan.pollSeconds);
    expect(probes.map((p) => p.state)).toEqual([ProbeState.Pending, ProbeState.Stable]);
    // The aborted update left the variables it had written: the restore takes them out.
    expect(eb).toHaveReceivedCommandWith(UpdateEnvironmentCommand, {
      OptionsToRemove: [{ Namespace: 'aws:elasticbeanstalk:application:environment', OptionName: 'PRELOAD_FAISS' }],
    });
    expect(fake.env.VersionLabel).toBe('1.1.0-0123456789ab');
  });

  it('restores a release recorded without targetState from its version and settings', async () => {
    const { clock, fake, plan, target } = setup();
    await target.apply(plan, plan.phases[0]!);
    await untilSettled(() => target.probe(plan), clock, plan.pollSeconds);
    const bare = {
      name: plan.name,
      version: '1.1.0',
      digest: '0123456789ab'.padEnd(64, '0'),
      source: plan.release,
      settings: { ML_AVAILABLE: 'false' },
    };
    eb.resetHistory();
    await target.restore(plan, bare);
    expect(eb).toHaveReceivedCommandWith(UpdateEnvironmentCommand, {
      VersionLabel: '1.1.0-0123456789ab',
      OptionsToRemove: [{ Namespace: 'aws:elasticbeanstalk:application:environment', OptionName: 'PRELOAD_FAISS' }],
    });
    expect(fake.env.Status).toBe('Updating');
  });

  it('puts back only what the rollout may have changed: a MaxSize raised by hand stays', async () => {
    const { clock, fake, plan, target } = setup();
    const snapshot = releaseOf(plan, (await target.current(plan))!);
    fake.options.find((o) => o.OptionName === 'MaxSize')!.Value = '10';
    await target.apply(plan, plan.phases[0]!);
    await untilSettled(() => target.probe(plan), clock, plan.pollSeconds);
    eb.resetHistory();
    await target.restore(plan, snapshot);
    const [restore] = eb.commandCalls(UpdateEnvironmentCommand).map((c) => c.args[0].input);
    expect(restore?.OptionSettings).toBeUndefined();
    expect(restore).toMatchObject({ VersionLabel: '1.1.0-0123456789ab' });
    expect(fake.option('aws:autoscaling:asg', 'MaxSize')).toBe('10');
  });

  it('with no known-good release there is nothing to restore an environment to', async () => {
    const { plan, target } = setup();
    await expect(target.restore(plan, null)).rejects.toThrow(RollbackFailedError);
    await expect(target.restore(plan, null)).rejects.toThrow(/no known-good release of skin-prod to restore/);
    expect((await target.probeRestored(plan, null)).state).toBe(ProbeState.Failed);
    expect(eb).not.toHaveReceivedCommand(UpdateEnvironmentCommand);
  });

  it('a restore already in place issues nothing', async () => {
    const { plan, target } = setup();
    const snapshot = releaseOf(plan, (await target.current(plan))!);
    await target.restore(plan, snapshot);
    expect(await target.probeRestored(plan, snapshot)).toEqual({
      state: ProbeState.Stable,
      detail: 'Ready, health Green (Ok), version 1.1.0-0123456789ab',
    });
    expect(eb).not.toHaveReceivedCommand(UpdateEnvironmentCommand);
  });
});
