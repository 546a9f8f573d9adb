import { DescribeServicesCommand, RegisterTaskDefinitionCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { RollbackFailedError, TargetError, TransientError } from '../../../../lib/errors.js';
import { EcsTarget } from '../../../../lib/targets/ecs/target.js';
import { awsPlan, testClock } from '../aws-plans.js';
import { FakeEcs, OLD, ecsTarget, ecsError, mockEcsClients, tdArn } from './fake-ecs.js';

const { ecs, elb, cw } = mockEcsClients();

function setup() {
  const clock = testClock();
  const fake = new FakeEcs();
  fake.install(ecs, elb, cw);
  return { clock, fake, plan: awsPlan(ecsTarget('127.0.0.1:9')), target: new EcsTarget({ clock }) };
}

describe('ECS: AWS errors', () => {
  it('throttling is a TransientError, and the retried task succeeds without a second revision', async () => {
    const { plan, target } = setup();
    ecs
      .on(UpdateServiceCommand)
      .rejectsOnce(ecsError('ThrottlingException', 'Rate exceeded'))
      .callsFakeOnce(() => ({}));
    await expect(target.apply(plan, plan.phases[0]!)).rejects.toThrow(TransientError);
    await expect(target.apply(plan, plan.phases[0]!)).resolves.toMatchObject({ version: '1.2.0' });
    expect(ecs).toHaveReceivedCommandTimes(UpdateServiceCommand, 2);
    // The retry finds the revision the first attempt registered and tagged as expected.
    expect(ecs).toHaveReceivedCommandTimes(RegisterTaskDefinitionCommand, 1);
    expect(ecs.commandCalls(UpdateServiceCommand).map((c) => c.args[0].input.taskDefinition)).toEqual([tdArn(8), tdArn(8)]);
  });

  it('a 5xx of DescribeTargetHealth is a TransientError', async () => {
    const { clock, plan, target } = setup();
    await target.apply(plan, plan.phases[0]!);
    clock.advance(15_000);
    await target.probe(plan);
    elb.on(DescribeTargetHealthCommand).rejects(ecsError('InternalFailure', 'internal error', 500));
    await expect(target.probe(plan)).rejects.toThrow(TransientError);
  });

  it('access denied is a TargetError naming the call and the family', async () => {
    const { plan, target } = setup();
    ecs
      .on(RegisterTaskDefinitionCommand)
      .rejects(ecsError('AccessDeniedException', 'User is not authorized to perform: iam:PassRole on resource: yolo-task', 403));
    await expect(target.apply(plan, plan.phases[0]!)).rejects.toMatchObject({
      name: 'TargetError',
      message:
        'access denied — RegisterTaskDefinition yoloflask-task-definition: the IAM action iam:PassRole is not allowed ' +
        '(AccessDeniedException: User is not authorized to perform: iam:PassRole on resource: yolo-task)',
    });
    expect(ecs).not.toHaveReceivedCommand(UpdateServiceCommand);
  });

  it('a service that does not exist is a TargetError naming it', async () => {
    const { plan, target } = setup();
    ecs.on(DescribeServicesCommand).resolves({ services: [], failures: [{ arn: 'x', reason: 'MISSING' }] });
    await expect(target.current(plan)).rejects.toThrow(
      new TargetError(
        'ECS service yoloflask-ecs-service of cluster image-processing-cluster (us-east-1) not found (MISSING): ' +
          'create it first (ml-rollout deploys into an existing service)',
      ),
    );
  });

  it('a task definition without the named container is a TargetError listing the containers', async () => {
    const { target } = setup();
    const plan = awsPlan({ ...ecsTarget('127.0.0.1:9'), containerName: 'api' });
    await expect(target.apply(plan, plan.phases[0]!)).rejects.toThrow(
      'yoloflask-task-definition:7 has no container api (it has: yoloflask-api, log-router)',
    );
    expect(ecs).not.toHaveReceivedCommand(RegisterTaskDefinitionCommand);
  });

  it('a release without a task definition cannot be restored, and says so', async () => {
    const { plan, target } = setup();
    const release = { name: plan.name, version: '1.0.0', digest: '', source: plan.release, settings: {} };
    await expect(target.restore(plan, release)).rejects.toThrow(
      new RollbackFailedError('release 1.0.0 records no ECS task definition to restore'),
    );
    const good = { ...release, targetState: { taskDefinitionArn: OLD } };
    await expect(target.restore(plan, good)).resolves.toMatchObject({ targetState: { taskDefinitionArn: OLD } });
  });
});
