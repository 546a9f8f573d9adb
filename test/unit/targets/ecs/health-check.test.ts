import { ModifyTargetGroupCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { RegisterTaskDefinitionCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { BundleInvalidError } from '../../../../lib/errors.js';
import { EcsTarget } from '../../../../lib/targets/ecs/target.js';
import { awsPlan, testClock } from '../aws-plans.js';
import { commandNames } from '../drive.js';
import { FakeEcs, TG_ARN, ecsTarget, mockEcsClients } from './fake-ecs.js';

const { ecs, elb, cw } = mockEcsClients();
/** Seed 004's load balancer health checks. */
const SEED_CHECK = { healthyThreshold: 2, unhealthyThreshold: 2, intervalSeconds: 30, timeoutSeconds: 20, matcher: '200' };

function setup(extra: Record<string, unknown>, fake = new FakeEcs()) {
  fake.install(ecs, elb, cw);
  return { fake, plan: awsPlan(ecsTarget('127.0.0.1:9', extra)), target: new EcsTarget({ clock: testClock() }) };
}

describe('ECS: the target group health check', () => {
  it('is brought to the manifest before the first phase, and the change is reported', async () => {
    const { fake, plan, target } = setup({ healthCheck: SEED_CHECK });
    const applied = await target.apply(plan, plan.phases[0]!);
    expect(commandNames(elb)).toEqual(['DescribeTargetGroups', 'ModifyTargetGroup']);
    expect(elb.commandCalls(ModifyTargetGroupCommand).map((c) => c.args[0].input)).toEqual([
      { TargetGroupArn: TG_ARN, HealthyThresholdCount: 2, HealthCheckTimeoutSeconds: 20, Matcher: { HttpCode: '200' } },
    ]);
    expect(applied.notes).toEqual([
      'health check of target group targetgroup/ecstargetgroupyolo/0123456789abcdef: healthyThreshold 5 → 2, timeoutSeconds 5 → 20, matcher 200-399 → 200',
    ]);
    expect(fake.targetGroup).toMatchObject({ HealthyThresholdCount: 2, HealthCheckTimeoutSeconds: 20, Matcher: { HttpCode: '200' } });
    // Before the service changes.
    expect(fake.changes).toEqual(['ModifyTargetGroup', 'RegisterTaskDefinition', 'TagResource', 'UpdateService']);
  });

  it('is left alone when it already matches, and on later phases', async () => {
    const { plan, target } = setup({ healthCheck: { healthyThreshold: 5, matcher: '200-399' } });
    const applied = await target.apply(plan, plan.phases[0]!);
    expect(applied.notes).toBeUndefined();
    await target.apply(plan, plan.phases[1]!);
    expect(commandNames(elb)).toEqual(['DescribeTargetGroups']);
    expect(elb).not.toHaveReceivedCommand(ModifyTargetGroupCommand);
  });
});

describe('ECS: the capacity preflight against the task memory', () => {
  it('rejects a service that would fill the task past the memory gate, before any change', async () => {
    const { plan, target } = setup({ healthCheck: SEED_CHECK });
    const big = { ...plan, capacity: { memoryGb: 1.8 } };
    const err = await target.apply(big, big.phases[0]!).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BundleInvalidError);
    expect((err as Error).message).toBe(
      'capacity: the service needs 1.8 GB but task definition yoloflask-task-definition:7 has 2048 MiB ' +
        '(90 %, over the 80 % memory gate); give the task at least 2304 MiB',
    );
    expect(elb).not.toHaveReceivedCommand(ModifyTargetGroupCommand);
    expect(ecs).not.toHaveReceivedCommand(RegisterTaskDefinitionCommand);
    expect(ecs).not.toHaveReceivedCommand(UpdateServiceCommand);
  });

  it("takes the container's memory when the task states none, and passes what fits", async () => {
    const { plan, target } = setup({}, new FakeEcs({ memory: 4096 }, null));
    const fits = { ...plan, capacity: { components: { framework: 1.5, runtime: 1 } } };
    await expect(target.apply(fits, fits.phases[0]!)).resolves.toMatchObject({ version: '1.2.0' });
    const tooBig = { ...plan, capacity: { memoryGb: 3.5 } };
    await expect(target.apply(tooBig, tooBig.phases[0]!)).rejects.toThrow(/has 4096 MiB \(87\.5 %/);
  });
});
