import type { ConfigurationOptionSetting, OptionSpecification } from '@aws-sdk/client-elastic-beanstalk';
import type { EbInstanceSpec } from '../../plan/target-schema.js';

/** The option namespaces the rollout writes. */
export const Namespace = {
  Environment: 'aws:elasticbeanstalk:application:environment',
  LaunchConfiguration: 'aws:autoscaling:launchconfiguration',
  Ec2Instances: 'aws:ec2:instances',
  AutoScalingGroup: 'aws:autoscaling:asg',
} as const;
export type Namespace = (typeof Namespace)[keyof typeof Namespace];

/**
 * The environment upgrade: each manifest field and the option it sets, as the Elastic Beanstalk
 * general options reference names them today. The instance type is `aws:ec2:instances
 * InstanceTypes` (the reference's replacement for `aws:autoscaling:launchconfiguration
 * InstanceType`); root volume options stay in aws:autoscaling:launchconfiguration and the group's
 * size and cooldown in aws:autoscaling:asg, where the reference still documents them.
 */
export const INSTANCE_OPTIONS = [
  { field: 'instanceType', namespace: Namespace.Ec2Instances, name: 'InstanceTypes' },
  { field: 'rootVolumeSize', namespace: Namespace.LaunchConfiguration, name: 'RootVolumeSize' },
  { field: 'rootVolumeType', namespace: Namespace.LaunchConfiguration, name: 'RootVolumeType' },
  { field: 'rootVolumeIops', namespace: Namespace.LaunchConfiguration, name: 'RootVolumeIOPS' },
  { field: 'rootVolumeThroughput', namespace: Namespace.LaunchConfiguration, name: 'RootVolumeThroughput' },
  { field: 'minSize', namespace: Namespace.AutoScalingGroup, name: 'MinSize' },
  { field: 'maxSize', namespace: Namespace.AutoScalingGroup, name: 'MaxSize' },
  { field: 'cooldown', namespace: Namespace.AutoScalingGroup, name: 'Cooldown' },
] as const satisfies readonly { field: keyof EbInstanceSpec; namespace: Namespace; name: string }[];

/**
 * The obsolete form of the instance type. Read with the others, so a snapshot keeps whichever
 * form the environment had and a rollback restores that form; removed when the rollout writes
 * InstanceTypes, since which of the two wins when both are set is not documented.
 */
export const LEGACY_INSTANCE_TYPE = { namespace: Namespace.LaunchConfiguration, name: 'InstanceType' } as const;

/** Every option the rollout reads, in the order it writes them: the current ones, the obsolete form after InstanceTypes. */
const READ_OPTIONS: readonly { namespace: string; name: string }[] = [
  INSTANCE_OPTIONS[0],
  LEGACY_INSTANCE_TYPE,
  ...INSTANCE_OPTIONS.slice(1),
];

/** One instance option's value; null = not set (Elastic Beanstalk's default applies). */
export interface InstanceOption {
  namespace: string;
  name: string;
  value: string | null;
}

/** The part of an environment's configuration the rollout reads and writes. */
export interface EbConfig {
  environmentVariables: Record<string, string>;
  /** Every option of INSTANCE_OPTIONS, with the obsolete InstanceType after InstanceTypes. */
  instanceOptions: InstanceOption[];
}

/**
 * What restore() needs to put a deployment back exactly (the Deployment's and Release's
 * `targetState`); plain JSON, because it travels through the state machine and the state store.
 */
export interface EbTargetState extends EbConfig {
  versionLabel: string;
}

/** The relevant part of DescribeConfigurationSettings' option settings. */
export function readConfig(settings: ConfigurationOptionSetting[]): EbConfig {
  const environmentVariables: Record<string, string> = {};
  for (const s of settings) {
    if (s.Namespace === Namespace.Environment && s.OptionName !== undefined) environmentVariables[s.OptionName] = s.Value ?? '';
  }
  const instanceOptions = READ_OPTIONS.map(({ namespace, name }) => {
    const found = settings.find((s) => s.Namespace === namespace && s.OptionName === name);
    return { namespace, name, value: found?.Value !== undefined && found.Value !== '' ? found.Value : null };
  });
  return { environmentVariables, instanceOptions };
}

/** The options the manifest's `instance:` sets (only those it names). */
export function instanceOptionsOf(instance: EbInstanceSpec | undefined): InstanceOption[] {
  if (!instance) return [];
  return INSTANCE_OPTIONS.flatMap(({ field, namespace, name }) => {
    const v = instance[field];
    if (v === undefined) return [];
    const set = { namespace, name, value: String(v) };
    // One form of the instance type at a time: InstanceTypes written, the obsolete one removed.
    return field === 'instanceType' ? [set, { ...LEGACY_INSTANCE_TYPE, value: null }] : [set];
  });
}

/** `base` with `over` laid on top, option by option. */
export function overlayOptions(base: InstanceOption[], over: InstanceOption[]): InstanceOption[] {
  const merged = base.map((b) => over.find((o) => o.namespace === b.namespace && o.name === b.name) ?? b);
  const extra = over.filter((o) => !merged.some((m) => m.namespace === o.namespace && m.name === o.name));
  return [...merged, ...extra];
}

/** An UpdateEnvironment's changes. */
export interface OptionChanges {
  OptionSettings: ConfigurationOptionSetting[];
  OptionsToRemove: OptionSpecification[];
}

/**
 * The changes that take `current` to `want`: variables whose value differs, `unsetVariables` that
 * are set, instance options that differ (null → removed). Unchanged options are left out, so that
 * a phase that changes nothing restarts nothing.
 */
export function diffConfig(
  current: EbConfig,
  want: { environmentVariables: Record<string, string>; instanceOptions: InstanceOption[] },
  unsetVariables: string[] = [],
): OptionChanges {
  const OptionSettings: ConfigurationOptionSetting[] = [];
  const OptionsToRemove: OptionSpecification[] = [];
  for (const [name, value] of Object.entries(want.environmentVariables)) {
    if (current.environmentVariables[name] !== value)
      OptionSettings.push({ Namespace: Namespace.Environment, OptionName: name, Value: value });
  }
  for (const name of unsetVariables) {
    if (!(name in want.environmentVariables) && name in current.environmentVariables) {
      OptionsToRemove.push({ Namespace: Namespace.Environment, OptionName: name });
    }
  }
  for (const o of want.instanceOptions) {
    const now = current.instanceOptions.find((c) => c.namespace === o.namespace && c.name === o.name)?.value ?? null;
    if (o.value === now) continue;
    if (o.value === null) OptionsToRemove.push({ Namespace: o.namespace, OptionName: o.name });
    else OptionSettings.push({ Namespace: o.namespace, OptionName: o.name, Value: o.value });
  }
  return { OptionSettings, OptionsToRemove };
}

export function isEmpty(changes: OptionChanges): boolean {
  return changes.OptionSettings.length === 0 && changes.OptionsToRemove.length === 0;
}
