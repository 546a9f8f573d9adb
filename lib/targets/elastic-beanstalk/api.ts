import {
  AbortEnvironmentUpdateCommand,
  CreateApplicationVersionCommand,
  DescribeApplicationVersionsCommand,
  DescribeConfigurationSettingsCommand,
  DescribeEnvironmentsCommand,
  UpdateEnvironmentCommand,
  type ApplicationVersionDescription,
  type EnvironmentDescription,
} from '@aws-sdk/client-elastic-beanstalk';
import { TargetError } from '../../errors.js';
import type { Plan } from '../../plan/plan.js';
import type { ElasticBeanstalkTargetSpec } from '../../plan/target-schema.js';
import { aws, isAlreadyExists, mapAwsError } from '../../aws/errors.js';
import type { EbClients } from './clients.js';
import { versionDescription } from './names.js';
import { readConfig, type EbConfig, type InstanceOption, type OptionChanges } from './options.js';
import { readPolicy } from './policy.js';

/** One environment's clients and spec: what every call here needs. */
export interface EbContext {
  clients: EbClients;
  spec: ElasticBeanstalkTargetSpec;
}

function where(spec: ElasticBeanstalkTargetSpec): string {
  return `environment ${spec.environment} of application ${spec.application} (${spec.region})`;
}

/** The environment, or TargetError naming it when it does not exist (or was terminated). */
export async function describeEnvironment(ctx: EbContext): Promise<EnvironmentDescription> {
  const { spec } = ctx;
  const out = await aws(`DescribeEnvironments ${where(spec)}`, () =>
    ctx.clients.eb.send(
      new DescribeEnvironmentsCommand({ ApplicationName: spec.application, EnvironmentNames: [spec.environment], IncludeDeleted: false }),
    ),
  );
  const env = out.Environments?.find((e) => e.EnvironmentName === spec.environment);
  if (!env)
    throw new TargetError(`Elastic Beanstalk ${where(spec)} not found: create it first (ml-rollout deploys into an existing environment)`);
  return env;
}

/** The environment's variables, instance options and deployment policy options, as deployed. */
export async function describeConfig(ctx: EbContext): Promise<EbConfig & { policyOptions: InstanceOption[] }> {
  const { spec } = ctx;
  const out = await aws(`DescribeConfigurationSettings ${where(spec)}`, () =>
    ctx.clients.eb.send(new DescribeConfigurationSettingsCommand({ ApplicationName: spec.application, EnvironmentName: spec.environment })),
  );
  // An environment has one deployed configuration (and a draft while an update is saved, first).
  const deployed = out.ConfigurationSettings?.find((c) => c.DeploymentStatus !== 'pending') ?? out.ConfigurationSettings?.[0];
  return { ...readConfig(deployed?.OptionSettings ?? []), policyOptions: readPolicy(deployed?.OptionSettings ?? []) };
}

/** The application version, or null when there is none of that label. */
export async function describeVersion(ctx: EbContext, label: string): Promise<ApplicationVersionDescription | null> {
  const { spec } = ctx;
  const out = await aws(`DescribeApplicationVersions ${label} of application ${spec.application}`, () =>
    ctx.clients.eb.send(new DescribeApplicationVersionsCommand({ ApplicationName: spec.application, VersionLabels: [label] })),
  );
  return out.ApplicationVersions?.find((v) => v.VersionLabel === label) ?? null;
}

/**
 * Creates the application version from the bundle in S3, processed (validated) by Elastic
 * Beanstalk. A label that already exists (a retried task) is not an error.
 */
export async function createVersion(ctx: EbContext, plan: Plan, label: string): Promise<ApplicationVersionDescription | null> {
  const { spec } = ctx;
  if (plan.release.kind !== 's3') {
    throw new TargetError(`elastic-beanstalk deploys a bundle from S3; upload it to s3://${spec.bucket} first (ml-rollout deploy does)`);
  }
  const { bucket, key } = plan.release;
  try {
    const out = await ctx.clients.eb.send(
      new CreateApplicationVersionCommand({
        ApplicationName: spec.application,
        VersionLabel: label,
        Description: versionDescription(plan),
        SourceBundle: { S3Bucket: bucket, S3Key: key },
        Process: true,
      }),
    );
    return out.ApplicationVersion ?? null;
  } catch (err) {
    if (isAlreadyExists(err)) return describeVersion(ctx, label);
    throw mapAwsError(err, `CreateApplicationVersion ${label} of application ${spec.application} from s3://${bucket}/${key}`);
  }
}

/** Starts an update: a version, option changes, or both. Returns at once (the environment is Updating). */
export async function updateEnvironment(ctx: EbContext, changes: OptionChanges, label?: string): Promise<void> {
  const { spec } = ctx;
  await aws(`UpdateEnvironment ${where(spec)}`, () =>
    ctx.clients.eb.send(
      new UpdateEnvironmentCommand({
        ApplicationName: spec.application,
        EnvironmentName: spec.environment,
        ...(label ? { VersionLabel: label } : {}),
        ...(changes.OptionSettings.length ? { OptionSettings: changes.OptionSettings } : {}),
        ...(changes.OptionsToRemove.length ? { OptionsToRemove: changes.OptionsToRemove } : {}),
      }),
    ),
  );
}

/** Cancels the update in progress; Elastic Beanstalk then returns the environment to its previous state. */
export async function abortUpdate(ctx: EbContext): Promise<void> {
  await aws(`AbortEnvironmentUpdate ${where(ctx.spec)}`, () =>
    ctx.clients.eb.send(new AbortEnvironmentUpdateCommand({ EnvironmentName: ctx.spec.environment })),
  );
}

/** Application version status, upper-cased: the API answers "PROCESSED" where the SDK's enum says "Processed". */
export function versionStatus(v: ApplicationVersionDescription | null): string | null {
  return v?.Status ? v.Status.toUpperCase() : null;
}
