import { UpdateServiceCommand } from '@aws-sdk/client-ecs';
import type { Server } from 'node:http';
import { accumulate } from '../../../../lib/gates/bake.js';
import { evaluate } from '../../../../lib/gates/evaluate.js';
import { EcsTarget } from '../../../../lib/targets/ecs/target.js';
import { ProbeState } from '../../../../lib/targets/types.js';
import { awsPlan, closeServer, fakeService, testClock } from '../aws-plans.js';
import { releaseOf, runPhases, runRestore } from '../drive.js';
import { FakeEcs, OLD, ecsTarget, mockEcsClients } from './fake-ecs.js';

const { ecs, elb, cw } = mockEcsClients();
let service: Awaited<ReturnType<typeof fakeService>>;

beforeAll(async () => (service = await fakeService()));
afterEach(() => Object.assign(service.answer, { health: 200, predict: 200 }));
afterAll(() => closeServer(service.server as Server));

interface GateCase {
  what: string;
  phase: number;
  breakIt(fake: FakeEcs): void;
  check: string;
  value: number | string | null;
  inconclusive?: boolean;
}

const CASES: GateCase[] = [
  { what: 'the health path answering 503', phase: 0, breakIt: () => (service.answer.health = 503), check: 'health', value: 503 },
  {
    what: 'a smoke request answering 500',
    phase: 1,
    breakIt: () => (service.answer.predict = 500),
    check: 'smoke POST /predict',
    value: 500,
  },
  { what: 'ECS CPUUtilization past 70 %', phase: 3, breakIt: (f) => (f.metrics.cpu = 88.4), check: 'cpuPercent', value: 88.4 },
  { what: 'ECS MemoryUtilization past 80 %', phase: 3, breakIt: (f) => (f.metrics.memory = 91.3), check: 'memoryPercent', value: 91.3 },
  {
    what: 'memory not in CloudWatch (inconclusive, never passed)',
    phase: 3,
    breakIt: (f) => (f.metrics.memory = null),
    check: 'memoryPercent',
    value: null,
    inconclusive: true,
  },
  { what: 'TargetResponseTime p95 past 10 s', phase: 3, breakIt: (f) => (f.metrics.latency = 12.5), check: 'p95LatencyMs', value: 12500 },
  { what: 'HTTPCode_Target_5XX_Count past 1 %', phase: 3, breakIt: (f) => (f.metrics.errors = 12), check: 'errorRatePercent', value: 2 },
];

describe('ECS: each gate failure → the rollback commands', () => {
  it.each(CASES)('$what fails the $check check of phase $phase; the rollback updates the service back', async (c) => {
    const clock = testClock();
    const fake = new FakeEcs();
    fake.install(ecs, elb, cw);
    const plan = awsPlan(ecsTarget(service.host));
    const target = new EcsTarget({ clock });
    const snapshot = releaseOf(plan, (await target.current(plan))!);
    if (c.phase > 0) expect((await runPhases(target, plan, clock, c.phase - 1)).every((p) => p.verdict.passed)).toBe(true);

    c.breakIt(fake);
    const outcomes = await runPhases(target, plan, clock, c.phase);
    const failed = outcomes[c.phase];
    expect(failed?.verdict.passed).toBe(false);
    expect(failed?.verdict.checks.find((k) => !k.passed)).toMatchObject({
      name: c.check,
      value: c.value,
      passed: false,
      ...(c.inconclusive ? { inconclusive: true } : {}),
    });

    ecs.resetHistory();
    const probes = await runRestore(target, plan, snapshot, clock);
    expect(probes.at(-1)?.state).toBe(ProbeState.Stable);
    expect(ecs.commandCalls(UpdateServiceCommand).map((call) => call.args[0].input.taskDefinition)).toEqual([OLD]);
    expect(fake.primary()).toMatchObject({ taskDefinition: OLD, rolloutState: 'COMPLETED' });
  });

  it('a target turning unhealthy keeps the phase from counting as stable', async () => {
    const clock = testClock();
    const fake = new FakeEcs();
    fake.install(ecs, elb, cw);
    fake.targetState = 'unhealthy';
    const plan = awsPlan(ecsTarget(service.host));
    const target = new EcsTarget({ clock });
    await target.apply(plan, plan.phases[0]!);
    await target.probe(plan);
    expect(await target.probe(plan)).toEqual({
      state: ProbeState.Pending,
      detail: 'yoloflask-task-definition:8 COMPLETED, 0 of 2 targets healthy (unhealthy; unhealthy)',
    });
  });

  it('the gate fails the health check when the service no longer runs the phase', async () => {
    const clock = testClock();
    const fake = new FakeEcs();
    fake.install(ecs, elb, cw);
    const plan = awsPlan(ecsTarget(service.host));
    const target = new EcsTarget({ clock });
    await runPhases(target, plan, clock, 0);
    fake.serviceTags['ml-rollout:expected-task-definition'] = 'arn:aws:ecs:us-east-1:123456789012:task-definition/other:1';
    const phase = plan.phases[1]!;
    const verdict = evaluate(accumulate(null, await target.sample(plan, phase, null), phase), phase, true);
    expect(verdict.checks[0]).toMatchObject({ name: 'health', passed: false, value: 'serves yoloflask-task-definition:8, not other:1' });
  });
});
