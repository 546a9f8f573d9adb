import { UpdateServiceCommand } from '@aws-sdk/client-ecs';
import type { Server } from 'node:http';
import { EcsTarget } from '../../../../lib/targets/ecs/target.js';
import { ProbeState } from '../../../../lib/targets/types.js';
import { awsPlan, closeServer, fakeService, testClock } from '../aws-plans.js';
import { releaseOf, runPhases, runRestore, untilSettled } from '../drive.js';
import { FakeEcs, OLD, ecsTarget, mockEcsClients, tdArn } from './fake-ecs.js';

const { ecs, elb, cw } = mockEcsClients();
let server: Server;
let host: string;

beforeAll(async () => ({ server, host } = await fakeService()));
afterAll(() => closeServer(server));

async function setup() {
  const clock = testClock();
  const fake = new FakeEcs();
  fake.install(ecs, elb, cw);
  const plan = awsPlan(ecsTarget(host));
  const target = new EcsTarget({ clock });
  const snapshot = releaseOf(plan, (await target.current(plan))!);
  // minimal passes (revision 8); ml-dependencies (revision 9) is the one the circuit breaker rolls back.
  await runPhases(target, plan, clock, 0);
  return { clock, fake, plan, target, snapshot };
}

describe("the ECS deployment circuit breaker's own rollback", () => {
  it('fails the phase, reported as rolled back by ECS, never as the new version', async () => {
    const { clock, fake, plan, target } = await setup();
    fake.failNext = true;
    await target.apply(plan, plan.phases[1]!);
    const probes = await untilSettled(() => target.probe(plan), clock, plan.pollSeconds);
    expect(probes.map((p) => p.state)).toEqual([ProbeState.Pending, ProbeState.Failed]);
    expect(probes.at(-1)?.detail).toBe(
      'the ECS deployment circuit breaker rolled service yoloflask-ecs-service back to yoloflask-task-definition:8 ' +
        '(this phase deployed yoloflask-task-definition:9): ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/2.',
    );
    // The gate would not pass it either: the health check names what serves.
    const sample = await target.sample(plan, plan.phases[1]!, null);
    expect(sample.health).toMatchObject({ ok: false, error: 'serves yoloflask-task-definition:8, not yoloflask-task-definition:9' });
  });

  it('a FAILED deployment without a rollback fails the phase too', async () => {
    const { clock, fake, plan, target } = await setup();
    fake.failNext = true;
    await target.apply(plan, plan.phases[1]!);
    // As if ECS had not rolled back (the circuit breaker's rollback turned off by hand).
    fake.primary().rollback = false;
    const probes = await untilSettled(() => target.probe(plan), clock, plan.pollSeconds);
    expect(probes.at(-1)).toEqual({
      state: ProbeState.Failed,
      detail: 'the deployment of yoloflask-task-definition:9 FAILED: ECS deployment circuit breaker: tasks failed to start.',
    });
  });

  it('the rollout then rolls back to the snapshot, not to the earlier phase ECS kept', async () => {
    const { clock, fake, plan, target, snapshot } = await setup();
    fake.failNext = true;
    await target.apply(plan, plan.phases[1]!);
    await untilSettled(() => target.probe(plan), clock, plan.pollSeconds);
    expect(fake.primary().taskDefinition).toBe(tdArn(8));
    ecs.resetHistory();

    const probes = await runRestore(target, plan, snapshot, clock);
    expect(probes.at(-1)?.state).toBe(ProbeState.Stable);
    expect(ecs.commandCalls(UpdateServiceCommand).map((c) => c.args[0].input.taskDefinition)).toEqual([OLD]);
    expect(fake.primary()).toMatchObject({ taskDefinition: OLD, rolloutState: 'COMPLETED' });
  });

  it('a first phase rolled back by ECS to the snapshot revision needs no second update', async () => {
    const clock = testClock();
    const fake = new FakeEcs();
    fake.install(ecs, elb, cw);
    const plan = awsPlan(ecsTarget(host));
    const target = new EcsTarget({ clock });
    const snapshot = releaseOf(plan, (await target.current(plan))!);
    fake.failNext = true;
    await target.apply(plan, plan.phases[0]!);
    expect((await untilSettled(() => target.probe(plan), clock, plan.pollSeconds)).at(-1)?.state).toBe(ProbeState.Failed);
    ecs.resetHistory();
    const probes = await runRestore(target, plan, snapshot, clock);
    expect(probes.at(-1)?.state).toBe(ProbeState.Stable);
    expect(ecs).not.toHaveReceivedCommand(UpdateServiceCommand);
  });
});
