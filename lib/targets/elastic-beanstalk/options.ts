import type { ConfigurationOptionSetting, OptionSpecification } from '@aws-sdk/client-elastic-beanstalk';
import type { EbInstanceSpec } from '../../plan/target-schema.js';

/** The option namespaces the rollout writes. */
export const Namespace = {
  Environment: 'aws:elasticbeanstalk:application:environment',
  LaunchConfiguration: 'aws:autoscaling:launchconfiguration',
  AutoScalingGroup: 'aws:autoscaling:asg',
} as const;
export type Namespace = (typeof Namespace)[keyof typeof Namespace];

/** The seeds' environment upgrade: each manifest field and the option it sets. */
export const INSTANCE_OPTIONS = [
  { field: 'instanceType', namespace: Namespace.LaunchConfiguration, name: 'InstanceType' },
  { field: 'rootVolumeSize', namespace: Namespace.LaunchConfiguration, name: 'RootVolumeSize' },
  { field: 'rootVolumeType', namespace: Namespace.LaunchConfiguration, name: 'RootVolumeType' },
  { field: 'rootVolumeIops', namespace: Namespace.LaunchConfiguration, name: 'RootVolumeIOPS' },
  { field: 'rootVolumeThroughput', namespace: Namespace.LaunchConfiguration, name: 'RootVolumeThroughput' },
  { field: 'minSize', namespace: Namespace.AutoScalingGroup, name: 'MinSize' },
  { field: 'maxSize', namespace: Namespace.AutoScalingGroup, name: 'MaxSize' },
  { field: 'cooldown', namespace: Namespace.AutoScalingGroup, name: 'Cooldown' },
] as const satisfies readonly { field: keyof EbInstanceSpec; namespace: Namespace; name: string }[];

/** One instance option's value; null = not set (Elastic Beanstalk's default applies). */
export interface InstanceOption {
  namespace: string;
  name: string;
  value: string | null;
}

/** The part of an environment's configuration the rollout reads and writes. */
export interface EbConfig {
  environmentVariables: Record<string, string>;
  /** Every option of INSTANCE_OPTIONS, in that order. */
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
  const instanceOptions = INSTANCE_OPTIONS.map(({ namespace, name }) => {
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
    return v === undefined ? [] : [{ namespace, name, value: String(v) }];
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
