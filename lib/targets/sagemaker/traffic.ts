import { DeleteAlarmsCommand, PutMetricAlarmCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import type { DeploymentConfig, DescribeEndpointCommandOutput, TrafficRoutingConfig } from '@aws-sdk/client-sagemaker';
import type { Plan, PlanPhase } from '../../plan/plan.js';
import type { SageMakerTargetSpec } from '../../plan/target-schema.js';
import { TrafficStrategy, trafficSteps } from '../../plan/traffic-schema.js';
import { aws, isNotFound, mapAwsError } from '../aws-errors.js';
import { ProbeState, type Probe } from '../types.js';
import type { SageMakerClients } from './clients.js';
import { SAGEMAKER_LIMITS } from './limits.js';
import { resourceName } from './names.js';

/**
 * SageMaker's canary and linear blue/green shifts. SageMaker has no call to stop an update, so
 * every stepped update also watches an alarm of the rollout's own (AutoRollbackConfiguration):
 * a failed gate sets it to ALARM (SetAlarmState) and SageMaker rolls the new fleet back by itself.
 * The alarm watches a metric nobody publishes, so it never fires on its own.
 */

/** The rollout's own alarm: one per environment (one rollout at a time holds its lock). */
export function rollbackAlarmName(spec: SageMakerTargetSpec): string {
  return `ml-rollout-${spec.environment}-rollback`;
}

/** Does the phase shift traffic step by step? */
export function isStepped(phase: PlanPhase | null | undefined): boolean {
  const s = phase?.traffic?.strategy;
  return s === TrafficStrategy.Canary || s === TrafficStrategy.Linear;
}

/** The phase of this plan whose endpoint config `configName` is, when it shifts step by step. */
export function steppedPhaseOf(plan: Plan, spec: SageMakerTargetSpec, configName: string | undefined): PlanPhase | null {
  if (!configName) return null;
  return plan.phases.find((p) => isStepped(p) && resourceName(plan, p, spec) === configName) ?? null;
}

/** CANARY (CanarySize = the first step) or LINEAR (LinearStepSize = stepPercent), % of the variant's capacity. */
export function trafficRouting(phase: PlanPhase): TrafficRoutingConfig {
  const traffic = phase.traffic;
  const first = trafficSteps(traffic)[0] ?? 100;
  const wait = traffic?.stepSeconds ?? 0;
  if (traffic?.strategy === TrafficStrategy.Linear) {
    return { Type: 'LINEAR', LinearStepSize: { Type: 'CAPACITY_PERCENT', Value: first }, WaitIntervalInSeconds: wait };
  }
  return { Type: 'CANARY', CanarySize: { Type: 'CAPACITY_PERCENT', Value: first }, WaitIntervalInSeconds: wait };
}

/**
 * A stepped phase's DeploymentConfig: the shift, the phase's deadline as the update's timeout
 * (checked against SageMaker's limits with the manifest), the manifest's alarms plus the rollout's own.
 */
export function steppedDeploymentConfig(spec: SageMakerTargetSpec, phase: PlanPhase): DeploymentConfig {
  const { min, max } = SAGEMAKER_LIMITS.executionTimeoutSeconds;
  return {
    BlueGreenUpdatePolicy: {
      TrafficRoutingConfiguration: trafficRouting(phase),
      TerminationWaitInSeconds: 0,
      MaximumExecutionTimeoutInSeconds: Math.min(max, Math.max(min, phase.deadlineSeconds)),
    },
    AutoRollbackConfiguration: { Alarms: [...(spec.alarms ?? []), rollbackAlarmName(spec)].map((AlarmName) => ({ AlarmName })) },
  };
}

/** Creates (or updates) the rollout's alarm, in state OK until the gate sets it. */
export async function putRollbackAlarm(clients: SageMakerClients, spec: SageMakerTargetSpec): Promise<void> {
  const name = rollbackAlarmName(spec);
  await aws(`PutMetricAlarm ${name}`, () =>
    clients.cw.send(
      new PutMetricAlarmCommand({
        AlarmName: name,
        AlarmDescription: `ml-rollout: set to ALARM when a gate fails during a traffic shift of endpoint ${spec.endpoint}, so that SageMaker rolls it back`,
        Namespace: 'ml-rollout',
        MetricName: 'RollbackRequested',
        Dimensions: [{ Name: 'Environment', Value: spec.environment }],
        Statistic: 'Maximum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        ActionsEnabled: false,
      }),
    ),
  );
}

/** The gate failed: the alarm goes to ALARM and SageMaker rolls the new fleet back. */
export async function triggerRollback(clients: SageMakerClients, spec: SageMakerTargetSpec, reason: string): Promise<void> {
  const name = rollbackAlarmName(spec);
  await aws(`SetAlarmState ${name}`, () =>
    clients.cw.send(new SetAlarmStateCommand({ AlarmName: name, StateValue: 'ALARM', StateReason: reason.slice(0, 1023) })),
  );
}

/** The rollout is over (passed, or rolled back and verified): its alarm goes. An alarm already gone is fine. */
export async function deleteRollbackAlarm(clients: SageMakerClients, spec: SageMakerTargetSpec): Promise<void> {
  const name = rollbackAlarmName(spec);
  try {
    await clients.cw.send(new DeleteAlarmsCommand({ AlarmNames: [name] }));
  } catch (err) {
    if (!isNotFound(err)) throw mapAwsError(err, `DeleteAlarms ${name}`);
  }
}

/** Statuses of the new fleet's variant in which it takes requests. */
const SERVING = new Set(['Baking', 'ActivatingTraffic']);

/** Is the update to `configName` in progress with its new fleet taking requests (a step's bake)? */
export function shifting(ep: DescribeEndpointCommandOutput | null, configName: string): boolean {
  const pending = ep?.PendingDeploymentSummary;
  if (ep?.EndpointStatus !== 'Updating' || pending?.EndpointConfigName !== configName) return false;
  return (pending.ProductionVariants ?? []).some((v) => (v.VariantStatus ?? []).some((s) => SERVING.has(s.Status ?? '')));
}

/** A stepped phase's probe while SageMaker shifts: stable once the new fleet takes its share (the gate samples during the waits). */
export function decideShift(ep: DescribeEndpointCommandOutput | null, phase: PlanPhase, configName: string): Probe | null {
  if (!shifting(ep, configName)) return null;
  const steps = trafficSteps(phase.traffic).join(', ');
  return {
    state: ProbeState.Stable,
    detail: `endpoint ${ep?.EndpointName}: ${phase.traffic?.strategy} shift to ${configName} (${steps} %), the new fleet takes requests`,
  };
}
