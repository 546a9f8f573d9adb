import { CreateApplicationVersionCommand, DescribeEnvironmentsCommand, UpdateEnvironmentCommand } from '@aws-sdk/client-elastic-beanstalk';
import { TargetError, TransientError } from '../../../../lib/errors.js';
import { ElasticBeanstalkTarget } from '../../../../lib/targets/elastic-beanstalk/target.js';
import { awsPlan, testClock } from '../aws-plans.js';
import { APP, ebError, ENV, FakeEb, mockEbClients } from './fake-eb.js';

const { eb, cw } = mockEbClients();
const TARGET = { type: 'elastic-beanstalk', environment: ENV, region: 'eu-west-1', application: APP, bucket: 'skin-bundles' };

function setup() {
  const clock = testClock();
  const fake = new FakeEb(clock.now, 'skin-prod.eu-west-1.elasticbeanstalk.com');
  fake.install(eb, cw);
  return { clock, fake, plan: awsPlan(TARGET), target: new ElasticBeanstalkTarget({ clock }) };
}

describe('Elastic Beanstalk: AWS errors', () => {
  it('throttling is a TransientError, and the retried task succeeds', async () => {
    const { fake, plan, target } = setup();
    eb.on(DescribeEnvironmentsCommand)
      .rejectsOnce(ebError('Throttling', 'Rate exceeded'))
      .callsFake(() => ({ Environments: [fake.env] }));
    const first = target.apply(plan, plan.phases[0]!);
    await expect(first).rejects.toThrow(TransientError);
    await expect(first).rejects.toThrow(
      `DescribeEnvironments environment ${ENV} of application ${APP} (eu-west-1): Throttling: Rate exceeded`,
    );
    expect(eb).not.toHaveReceivedCommand(UpdateEnvironmentCommand);
    // The state machine's Retry runs the task again.
    await expect(target.apply(plan, plan.phases[0]!)).resolves.toMatchObject({ version: '1.2.0' });
    expect(eb).toHaveReceivedCommandTimes(UpdateEnvironmentCommand, 1);
  });

  it('a 5xx from the control plane is a TransientError', async () => {
    const { plan, target } = setup();
    eb.on(UpdateEnvironmentCommand).rejectsOnce(ebError('InternalFailure', 'We encountered an internal error.', 500));
    await expect(target.apply(plan, plan.phases[0]!)).rejects.toThrow(TransientError);
  });

  it('an environment busy with another update is a TransientError', async () => {
    const { fake, plan, target } = setup();
    fake.env.Status = 'Updating';
    await expect(target.apply(plan, plan.phases[0]!)).rejects.toThrow(
      new TransientError(`environment ${ENV} is Updating: minimal starts once it is Ready`),
    );
  });

  it('access denied is a TargetError naming the call and the resource', async () => {
    const { plan, target } = setup();
    eb.on(CreateApplicationVersionCommand).rejects(
      ebError(
        'InsufficientPrivilegesException',
        'User: arn:aws:iam::123456789012:user/ci is not authorized to perform: elasticbeanstalk:CreateApplicationVersion',
        403,
      ),
    );
    const err = await target.apply(plan, plan.phases[0]!).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TargetError);
    expect((err as Error).message).toMatch(
      /^access denied — CreateApplicationVersion 1\.2\.0-[0-9a-f]{12} of application skin-similarity from s3:\/\/skin-bundles\//,
    );
    expect((err as Error).cause).toMatchObject({ name: 'InsufficientPrivilegesException' });
  });

  it('a missing environment is a TargetError before any change', async () => {
    const { plan, target } = setup();
    eb.on(DescribeEnvironmentsCommand).resolves({ Environments: [] });
    await expect(target.current(plan)).rejects.toThrow(
      new TargetError(
        `Elastic Beanstalk environment ${ENV} of application ${APP} (eu-west-1) not found: create it first (ml-rollout deploys into an existing environment)`,
      ),
    );
    await expect(target.apply(plan, plan.phases[0]!)).rejects.toThrow(TargetError);
    expect(eb).not.toHaveReceivedCommand(CreateApplicationVersionCommand);
    expect(eb).not.toHaveReceivedCommand(UpdateEnvironmentCommand);
  });

  it("an invalid parameter is a TargetError with Elastic Beanstalk's own words", async () => {
    const { plan, target } = setup();
    eb.on(UpdateEnvironmentCommand).rejects(ebError('InvalidParameterValue', 'Value m5.huge is not valid for option InstanceType'));
    await expect(target.apply(plan, plan.phases[0]!)).rejects.toMatchObject({
      name: 'TargetError',
      message: `UpdateEnvironment environment ${ENV} of application ${APP} (eu-west-1): InvalidParameterValue: Value m5.huge is not valid for option InstanceType`,
    });
  });

  it('a bundle that is not in S3 is a TargetError naming the bucket', async () => {
    const { plan, target } = setup();
    const local = { ...plan, release: { kind: 'dir' as const, path: '/tmp/bundle' } };
    await expect(target.apply(local, plan.phases[0]!)).rejects.toThrow(/upload it to s3:\/\/skin-bundles first/);
  });
});
