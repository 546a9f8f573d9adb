import { DeleteAlarmsCommand, PutMetricAlarmCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeEndpointCommand, UpdateEndpointCommand } from '@aws-sdk/client-sagemaker';
import type { Plan } from '../../../../lib/plan/plan.js';
import { SageMakerTarget } from '../../../../lib/targets/sagemaker/target.js';
import { ProbeState } from '../../../../lib/targets/types.js';
import { awsPlan, testClock } from '../aws-plans.js';
import { commandNames, releaseOf, untilSettled } from '../drive.js';
import { ENDPOINT, FakeSageMaker, SM_TARGET, mockSageMakerClients } from './fake-sagemaker.js';

const { sm, runtime, cw } = mockSageMakerClients();
const OLD = 'skin-sm-1-1-0-p3-0a0b0c0d';
const ALARM = 'ml-rollout-skin-sm-rollback';

/**
 * The fake endpoint, with what DescribeEndpoint says during a stepped blue/green update: the new
 * fleet's variant Baking (it takes its share of requests) while `baking` is set.
 */
async function setup(traffic: Record<string, unknown>) {
  const clock = testClock();
  const fake = new FakeSageMaker();
  fake.install(sm, runtime, cw);
  fake.polls = 50;
  fake.existing(OLD, { ML_ROLLOUT_VERSION: '1.1.0' }, { 'ml-rollout:expected-config': OLD });
  const state = { baking: false };
  sm.on(DescribeEndpointCommand).callsFake(() => {
    const ep = fake.endpoint!;
    (fake as unknown as { progress(e: unknown): void }).progress(ep);
    return {
      EndpointName: ENDPOINT,
      EndpointArn: `arn:aws:sagemaker:eu-central-1:123456789012:endpoint/${ENDPOINT}`,
      EndpointConfigName: ep.config,
      EndpointStatus: ep.status,
      ...(ep.pending
        ? {
            PendingDeploymentSummary: {
              EndpointConfigName: ep.pending.config,
              ProductionVariants: [{ VariantName: 'AllTraffic', VariantStatus: [{ Status: state.baking ? 'Baking' : 'Creating' }] }],
            },
          }
        : {}),
    };
  });
  cw.on(PutMetricAlarmCommand).resolves({});
  cw.on(DeleteAlarmsCommand).resolves({});
  // SageMaker watches the alarm: once it is ALARM, the update rolls back at the next look.
  cw.on(SetAlarmStateCommand).callsFake(() => {
    fake.rollBackNext = true;
    if (fake.endpoint?.pending) fake.endpoint.pending.polls = 0;
    return {};
  });
  const plan: Plan = awsPlan(SM_TARGET, { traffic });
  const target = new SageMakerTarget({ clock });
  const snapshot = releaseOf(plan, (await target.current(plan))!);
  sm.resetHistory();
  cw.resetHistory();
  return { clock, fake, plan, target, snapshot, state };
}

describe('SageMaker: canary and linear traffic', () => {
  it("canary: the rollout's alarm, then UpdateEndpoint with CANARY (CanarySize = the step, WaitIntervalInSeconds = stepSeconds)", async () => {
    const { plan, target } = await setup({ strategy: 'canary', steps: [20], stepSeconds: 300 });
    const applied = await target.apply(plan, plan.phases[0]!);
    const config = applied.targetState!.endpointConfigName as string;
    expect(commandNames(sm)).toEqual(['DescribeEndpoint', 'CreateModel', 'CreateEndpointConfig', 'AddTags', 'UpdateEndpoint']);
    expect(commandNames(cw)).toEqual(['PutMetricAlarm']);
    expect(cw.commandCalls(PutMetricAlarmCommand)[0]!.args[0].input).toMatchObject({
      AlarmName: ALARM,
      Namespace: 'ml-rollout',
      MetricName: 'RollbackRequested',
      Dimensions: [{ Name: 'Environment', Value: 'skin-sm' }],
      Threshold: 1,
      TreatMissingData: 'notBreaching',
      ActionsEnabled: false,
    });
    expect(sm.commandCalls(UpdateEndpointCommand)[0]!.args[0].input).toEqual({
      EndpointName: ENDPOINT,
      EndpointConfigName: config,
      DeploymentConfig: {
        BlueGreenUpdatePolicy: {
          TrafficRoutingConfiguration: { Type: 'CANARY', CanarySize: { Type: 'CAPACITY_PERCENT', Value: 20 }, WaitIntervalInSeconds: 300 },
          TerminationWaitInSeconds: 0,
          MaximumExecutionTimeoutInSeconds: 1800,
        },
        AutoRollbackConfiguration: { Alarms: [{ AlarmName: 'skin-5xx' }, { AlarmName: ALARM }] },
      },
    });
  });

  it('linear: LINEAR with LinearStepSize = stepPercent', async () => {
    const { plan, target } = await setup({ strategy: 'linear', stepPercent: 25, stepSeconds: 120 });
    await target.apply(plan, plan.phases[0]!);
    expect(sm.commandCalls(UpdateEndpointCommand)[0]!.args[0].input.DeploymentConfig?.BlueGreenUpdatePolicy).toEqual({
      TrafficRoutingConfiguration: { Type: 'LINEAR', LinearStepSize: { Type: 'CAPACITY_PERCENT', Value: 25 }, WaitIntervalInSeconds: 120 },
      TerminationWaitInSeconds: 0,
      MaximumExecutionTimeoutInSeconds: 1800,
    });
  });

  it('the gate samples during the waits: stable once the new fleet bakes, the window open until the shift is done', async () => {
    const { fake, plan, target, state } = await setup({ strategy: 'canary', steps: [20], stepSeconds: 300 });
    const phase = plan.phases[0]!;
    const config = (await target.apply(plan, phase)).targetState!.endpointConfigName as string;
    expect((await target.probe(plan)).state).toBe(ProbeState.Pending);
    state.baking = true;
    expect(await target.probe(plan)).toEqual({
      state: ProbeState.Stable,
      detail: `endpoint ${ENDPOINT}: canary shift to ${config} (20, 100 %), the new fleet takes requests`,
    });
    const during = await target.sample(plan, phase, null);
    expect(during).toMatchObject({ settled: false, health: { ok: true } });
    fake.endpoint!.pending!.polls = 0;
    const after = await target.sample(plan, phase, null);
    expect(after).toMatchObject({ settled: true, health: { ok: true } });
    // Every gate passed: the rollout's alarm goes.
    cw.resetHistory();
    await target.finish(plan);
    expect(cw).toHaveReceivedCommandWith(DeleteAlarmsCommand, { AlarmNames: [ALARM] });
  });

  it('a failed gate mid-shift sets the alarm to ALARM; SageMaker rolls back, the rollback is verified and the alarm deleted', async () => {
    const { clock, fake, plan, target, snapshot, state } = await setup({ strategy: 'canary', steps: [20], stepSeconds: 300 });
    await target.apply(plan, plan.phases[0]!);
    state.baking = true;
    expect((await target.probe(plan)).state).toBe(ProbeState.Stable);
    sm.resetHistory();
    cw.resetHistory();

    await target.restore(plan, snapshot);
    expect(commandNames(sm)).toEqual(['DescribeEndpoint']);
    expect(commandNames(cw)).toEqual(['SetAlarmState']);
    expect(cw.commandCalls(SetAlarmStateCommand)[0]!.args[0].input).toMatchObject({ AlarmName: ALARM, StateValue: 'ALARM' });

    const probes = await untilSettled(() => target.probeRestored(plan, snapshot), clock, plan.pollSeconds);
    expect(probes.at(-1)).toEqual({ state: ProbeState.Stable, detail: `endpoint ${ENDPOINT} InService on ${OLD}` });
    expect(fake.endpoint?.config).toBe(OLD);
    // SageMaker put the old fleet back by itself: no UpdateEndpoint of ours was needed.
    expect(sm).toHaveReceivedCommandTimes(UpdateEndpointCommand, 0);
    expect(commandNames(cw)).toEqual(['SetAlarmState', 'DeleteAlarms']);
  });

  it('an all-at-once rollout creates no alarm', async () => {
    const { plan, target } = await setup({ strategy: 'all-at-once' });
    await target.apply(plan, plan.phases[0]!);
    expect(commandNames(cw)).toEqual([]);
    expect(
      sm.commandCalls(UpdateEndpointCommand)[0]!.args[0].input.DeploymentConfig?.BlueGreenUpdatePolicy?.TrafficRoutingConfiguration?.Type,
    ).toBe('ALL_AT_ONCE');
  });
});
