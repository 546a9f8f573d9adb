import { UpdateEndpointCommand } from '@aws-sdk/client-sagemaker';
import { SageMakerTarget } from '../../../../lib/targets/sagemaker/target.js';
import { ProbeState } from '../../../../lib/targets/types.js';
import { awsPlan, testClock } from '../aws-plans.js';
import { accumulate } from '../../../../lib/gates/bake.js';
import { evaluate } from '../../../../lib/gates/evaluate.js';
import { releaseOf, runPhases, runRestore, untilSettled } from '../drive.js';
import { FakeSageMaker, SM_TARGET, mockSageMakerClients } from './fake-sagemaker.js';

const { sm, runtime, cw } = mockSageMakerClients();
const OLD = 'skin-sm-1-1-0-p3-0a0b0c0d';

interface GateCase {
  what: string;
  phase: number;
  breakIt(fake: FakeSageMaker): void;
  check: string;
  value: number | string | null;
  inconclusive?: boolean;
}

const CASES: GateCase[] = [
  {
    what: 'a smoke invocation answering 500 (ModelError)',
    phase: 1,
    breakIt: (f) => (f.invokeStatus = 500),
    check: 'smoke POST /predict',
    value: 500,
  },
  { what: 'CPU past 70 % (summed over 4 vCPUs)', phase: 3, breakIt: (f) => (f.metrics.cpu = 320), check: 'cpuPercent', value: 80 },
  { what: 'memory past 80 %', phase: 3, breakIt: (f) => (f.metrics.memory = 91.3), check: 'memoryPercent', value: 91.3 },
  {
    what: 'memory not in CloudWatch (inconclusive, never passed)',
    phase: 3,
    breakIt: (f) => (f.metrics.memory = null),
    check: 'memoryPercent',
    value: null,
    inconclusive: true,
  },
  { what: 'ModelLatency p95 past 10 s', phase: 3, breakIt: (f) => (f.metrics.latency = 12_000_000), check: 'p95LatencyMs', value: 12000 },
  { what: 'Invocation5XXErrors past 1 %', phase: 3, breakIt: (f) => (f.metrics.errors = 8), check: 'errorRatePercent', value: 2 },
];

describe('SageMaker: each gate failure → the rollback commands', () => {
  it.each(CASES)('$what fails the $check check of phase $phase; the rollback updates the endpoint back', async (c) => {
    const clock = testClock();
    const fake = new FakeSageMaker();
    fake.install(sm, runtime, cw);
    fake.existing(OLD, { ML_ROLLOUT_VERSION: '1.1.0' }, { 'ml-rollout:expected-config': OLD });
    const plan = awsPlan(SM_TARGET);
    const target = new SageMakerTarget({ clock });
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

    sm.resetHistory();
    const probes = await runRestore(target, plan, snapshot, clock);
    expect(probes.at(-1)?.state).toBe(ProbeState.Stable);
    expect(sm.commandCalls(UpdateEndpointCommand).map((call) => call.args[0].input.EndpointConfigName)).toEqual([OLD]);
    expect(fake.endpoint?.config).toBe(OLD);
  });

  it('the endpoint falling out of service during the gate fails the health check', async () => {
    const clock = testClock();
    const fake = new FakeSageMaker();
    fake.install(sm, runtime, cw);
    const plan = awsPlan(SM_TARGET);
    const target = new SageMakerTarget({ clock });
    const phase = plan.phases[0]!;
    await target.apply(plan, phase);
    expect((await untilSettled(() => target.probe(plan), clock, plan.pollSeconds)).at(-1)?.state).toBe(ProbeState.Stable);
    fake.endpoint!.status = 'OutOfService';
    const verdict = evaluate(accumulate(null, await target.sample(plan, phase, null), phase), phase, true);
    expect(verdict.checks[0]).toEqual({ name: 'health', value: 'EndpointStatus OutOfService', threshold: '2xx', passed: false });
  });
});
