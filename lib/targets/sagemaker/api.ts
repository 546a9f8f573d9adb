import {
  AddTagsCommand,
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DeleteEndpointCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  ListTagsCommand,
  UpdateEndpointCommand,
  type DeploymentConfig,
  type DescribeEndpointCommandOutput,
  type ProductionVariantInstanceType,
} from '@aws-sdk/client-sagemaker';
import { AWS_DEFAULTS, DEFAULTS } from '../../plan/defaults.js';
import type { Plan, PlanPhase } from '../../plan/plan.js';
import type { SageMakerTargetSpec } from '../../plan/target-schema.js';
import { aws, isAlreadyExists, isNotFound, mapAwsError } from '../../aws/errors.js';
import type { SageMakerClients } from './clients.js';
import { createdBy, Tag, VARIANT, Variable } from './names.js';
import { isStepped, steppedDeploymentConfig } from './traffic.js';

export interface SageMakerContext {
  clients: SageMakerClients;
  spec: SageMakerTargetSpec;
}

export type Endpoint = DescribeEndpointCommandOutput;

function endpointName(ctx: SageMakerContext): string {
  return `endpoint ${ctx.spec.endpoint} (${ctx.spec.region})`;
}

/** The endpoint, or null when it does not exist (yet). */
export async function describeEndpoint(ctx: SageMakerContext): Promise<Endpoint | null> {
  try {
    return await ctx.clients.sm.send(new DescribeEndpointCommand({ EndpointName: ctx.spec.endpoint }));
  } catch (err) {
    if (isNotFound(err)) return null;
    throw mapAwsError(err, `DescribeEndpoint ${endpointName(ctx)}`);
  }
}

export async function endpointTags(ctx: SageMakerContext, arn: string): Promise<Record<string, string>> {
  const out = await aws(`ListTags of ${endpointName(ctx)}`, () =>
    ctx.clients.sm.send(new ListTagsCommand({ ResourceArn: arn, MaxResults: 100 })),
  );
  return Object.fromEntries((out.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
}

export async function tagExpected(ctx: SageMakerContext, arn: string, configName: string): Promise<void> {
  await aws(`AddTags to ${endpointName(ctx)}`, () =>
    ctx.clients.sm.send(new AddTagsCommand({ ResourceArn: arn, Tags: [{ Key: Tag.Expected, Value: configName }] })),
  );
}

/** Runs a create whose name is deterministic: "already exists" means a retried task, done before. */
async function createOnce(what: string, call: () => Promise<unknown>): Promise<void> {
  try {
    await call();
  } catch (err) {
    if (!isAlreadyExists(err)) throw mapAwsError(err, what);
  }
}

/** The phase's model: the image and model data, with the phase's settings as the container's environment. */
export async function createModel(ctx: SageMakerContext, plan: Plan, phase: PlanPhase, name: string): Promise<void> {
  const { spec } = ctx;
  await createOnce(`CreateModel ${name}`, () =>
    ctx.clients.sm.send(
      new CreateModelCommand({
        ModelName: name,
        ExecutionRoleArn: spec.executionRoleArn,
        PrimaryContainer: {
          Image: spec.image,
          ...(spec.modelDataUrl ? { ModelDataUrl: spec.modelDataUrl } : {}),
          Environment: { ...phase.settings, [Variable.Version]: plan.version, [Variable.Digest]: plan.digest },
        },
      }),
    ),
  );
}

export async function createEndpointConfig(ctx: SageMakerContext, name: string): Promise<void> {
  const { spec } = ctx;
  await createOnce(`CreateEndpointConfig ${name}`, () =>
    ctx.clients.sm.send(
      new CreateEndpointConfigCommand({
        EndpointConfigName: name,
        ProductionVariants: [
          {
            VariantName: VARIANT,
            ModelName: name,
            InitialInstanceCount: spec.instanceCount,
            InstanceType: spec.instanceType as ProductionVariantInstanceType,
            InitialVariantWeight: 1,
          },
        ],
      }),
    ),
  );
}

/** A first deployment: the endpoint does not exist yet. */
export async function createEndpoint(ctx: SageMakerContext, plan: Plan, configName: string): Promise<void> {
  await createOnce(`CreateEndpoint ${endpointName(ctx)}`, () =>
    ctx.clients.sm.send(
      new CreateEndpointCommand({
        EndpointName: ctx.spec.endpoint,
        EndpointConfigName: configName,
        Tags: [
          { Key: Tag.Expected, Value: configName },
          { Key: Tag.CreatedBy, Value: createdBy(plan) },
        ],
      }),
    ),
  );
}

/**
 * Blue/green, all at once: SageMaker brings up the new fleet, shifts the traffic and only then
 * retires the old one. With alarms, it bakes with them watched and rolls back by itself when one
 * fires. A rollback (phase null) is never made to wait on the alarms that may be firing.
 */
export function deploymentConfig(spec: SageMakerTargetSpec, phase: PlanPhase | null): DeploymentConfig {
  // Canary and linear: the phase's own shift, watched by the rollout's alarm as well (lib/targets/sagemaker/traffic.ts).
  if (phase && isStepped(phase)) return steppedDeploymentConfig(spec, phase);
  const alarms = phase ? (spec.alarms ?? []) : [];
  const deadline = phase ? phase.deadlineSeconds : DEFAULTS.rollbackDeadlineSeconds.sagemaker;
  return {
    BlueGreenUpdatePolicy: {
      TrafficRoutingConfiguration: {
        Type: 'ALL_AT_ONCE',
        WaitIntervalInSeconds: alarms.length ? AWS_DEFAULTS.sagemakerAlarmBakeSeconds : 0,
      },
      TerminationWaitInSeconds: 0,
      // SageMaker accepts 600–14400 s; the phase's own deadline is enforced by the state machine.
      MaximumExecutionTimeoutInSeconds: Math.min(14_400, Math.max(600, deadline)),
    },
    ...(alarms.length ? { AutoRollbackConfiguration: { Alarms: alarms.map((AlarmName) => ({ AlarmName })) } } : {}),
  };
}

export async function updateEndpoint(ctx: SageMakerContext, configName: string, phase: PlanPhase | null): Promise<void> {
  await aws(`UpdateEndpoint ${endpointName(ctx)} to ${configName}`, () =>
    ctx.clients.sm.send(
      new UpdateEndpointCommand({
        EndpointName: ctx.spec.endpoint,
        EndpointConfigName: configName,
        DeploymentConfig: deploymentConfig(ctx.spec, phase),
      }),
    ),
  );
}

export async function deleteEndpoint(ctx: SageMakerContext): Promise<void> {
  await aws(`DeleteEndpoint ${endpointName(ctx)}`, () =>
    ctx.clients.sm.send(new DeleteEndpointCommand({ EndpointName: ctx.spec.endpoint })),
  );
}

/** The container environment of the model behind an endpoint config. */
export async function configEnvironment(ctx: SageMakerContext, configName: string): Promise<Record<string, string>> {
  const config = await aws(`DescribeEndpointConfig ${configName}`, () =>
    ctx.clients.sm.send(new DescribeEndpointConfigCommand({ EndpointConfigName: configName })),
  );
  const modelName = config.ProductionVariants?.[0]?.ModelName;
  if (!modelName) return {};
  const model = await aws(`DescribeModel ${modelName}`, () => ctx.clients.sm.send(new DescribeModelCommand({ ModelName: modelName })));
  return model.PrimaryContainer?.Environment ?? model.Containers?.[0]?.Environment ?? {};
}
