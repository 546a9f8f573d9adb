import { UpdateEndpointCommand } from '@aws-sdk/client-sagemaker';
import { SageMakerTarget } from '../../../../lib/targets/sagemaker/target.js';
import { ProbeState } from '../../../../lib/targets/types.js';
import { awsPlan, testClock } from '../aws-plans.js';
import { releaseOf, runPhases, runRestore, untilSettled } from '../drive.js';
import { ENDPOINT, FakeSageMaker, SM_TARGET, mockSageMakerClients } from './fake-sagemaker.js';

const { sm, runtime, cw } = mockSageMakerClients();
const OLD = 'skin-sm-1-1-0-p3-0a0b0c0d';

async function setup() {
  const clock = testClock();
  const fake = new FakeSageMaker();
  fake.install(sm, runtime, cw);
  fake.existing(OLD, { ML_ROLLOUT_VERSION: '1.1.0' }, { 'ml-rollout:expected-config': OLD });
  const plan = awsPlan(SM_TARGET);
  const target = new SageMakerTarget({ clock });
  const snapshot = releaseOf(plan, (await target.current(plan))!);
  // minimal passes; ml-dependencies is the phase SageMaker rolls back.
  const [minimal] = await runPhases(target, plan, clock, 0);
  return { clock, fake, plan, target, snapshot, minimalConfig: minimal!.deployment.targetState!.endpointConfigName as string };
}

describe("SageMaker's own rollback", () => {
  it('seen while it happens (RollingBack): the phase fails', async () => {
    const { clock, fake, plan, target } = await setup();
    fake.rollBackNext = true;
    await target.apply(plan, plan.phases[1]!);
    const probes = await untilSettled(() => target.probe(plan), clock, plan.pollSeconds);
    expect(probes.map((p) => p.state)).toEqual([ProbeState.Pending, ProbeState.Failed]);
    expect(probes.at(-1)?.detail).toBe(`SageMaker is rolling endpoint ${ENDPOINT} back`);
  });

  it('seen after the fact (InService on another config): the phase fails, never passes', async () => {
    const { fake, plan, target, minimalConfig } = await setup();
    fake.rollBackNext = true;
    const applied = await target.apply(plan, plan.phases[1]!);
    // The whole rollback happened between two polls.
    fake.endpoint!.status = 'InService';
    fake.endpoint!.failureReason = 'Rolled back: alarm skin-5xx went into ALARM';
    delete fake.endpoint!.pending;
    const probe = await target.probe(plan);
    expect(probe).toEqual({
      state: ProbeState.Failed,
      detail: `SageMaker rolled endpoint ${ENDPOINT} back to ${minimalConfig} (this phase deployed ${applied.targetState!.endpointConfigName}): Rolled back: alarm skin-5xx went into ALARM`,
    });
    // The gate would not pass it either: the health check names what serves.
    const sample = await target.sample(plan, plan.phases[1]!, null);
    expect(sample.health).toMatchObject({ ok: false, error: `serves ${minimalConfig}, not ${applied.targetState!.endpointConfigName}` });
  });

  it('the rollout then rolls back to the snapshot, not to the earlier phase SageMaker kept', async () => {
    const { clock, fake, plan, target, snapshot, minimalConfig } = await setup();
    fake.rollBackNext = true;
    await target.apply(plan, plan.phases[1]!);
    await untilSettled(() => target.probe(plan), clock, plan.pollSeconds);
    expect(fake.endpoint?.config).toBe(minimalConfig);
    sm.resetHistory();

    // SageMaker may still be RollingBack when RestoreSnapshot runs: the verification issues the update.
    const probes = await runRestore(target, plan, snapshot, clock);
    expect(probes.at(-1)?.state).toBe(ProbeState.Stable);
    expect(sm.commandCalls(UpdateEndpointCommand).map((c) => c.args[0].input.EndpointConfigName)).toEqual([OLD]);
    expect(fake.endpoint?.config).toBe(OLD);
  });
});
