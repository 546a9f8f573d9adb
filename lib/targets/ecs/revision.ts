import type { ContainerDefinition, KeyValuePair, RegisterTaskDefinitionCommandInput, TaskDefinition } from '@aws-sdk/client-ecs';
import { TargetError } from '../../errors.js';
import type { EcsTargetSpec } from '../../plan/target-schema.js';
import { shortTaskDefinition, Tag, Variable } from './names.js';

/** The container of the task definition that runs the bundle's service, or TargetError naming the choices. */
export function serviceContainer(td: TaskDefinition, spec: EcsTargetSpec): ContainerDefinition {
  const c = td.containerDefinitions?.find((d) => d.name === spec.containerName);
  if (!c) {
    const names = (td.containerDefinitions ?? []).map((d) => d.name).join(', ');
    throw new TargetError(
      `${shortTaskDefinition(td.taskDefinitionArn ?? '')} has no container ${spec.containerName} (it has: ${names || 'none'})`,
    );
  }
  return c;
}

/** The container's environment as a record. */
export function environmentOf(c: ContainerDefinition): Record<string, string> {
  return Object.fromEntries((c.environment ?? []).flatMap((kv) => (kv.name !== undefined ? [[kv.name, kv.value ?? '']] : [])));
}

/** The task's memory, MiB: the task definition's, else the container's hard then soft limit; null when none is stated. */
export function taskMemoryMib(td: TaskDefinition, spec: EcsTargetSpec): number | null {
  if (td.memory && Number(td.memory) > 0) return Number(td.memory);
  const c = td.containerDefinitions?.find((d) => d.name === spec.containerName);
  return c?.memory ?? c?.memoryReservation ?? null;
}

/** The variables a phase wants in the container: its accumulated settings and the release's identity. */
export function wantedVariables(settings: Record<string, string>, release: { version: string; digest: string }): Record<string, string> {
  return { ...settings, [Variable.Version]: release.version, [Variable.Digest]: release.digest };
}

/** True when the container already runs `image` with every wanted variable at its value. */
export function satisfies(c: ContainerDefinition, image: string, variables: Record<string, string>): boolean {
  const env = environmentOf(c);
  return c.image === image && Object.entries(variables).every(([k, v]) => env[k] === v);
}

/** `base` with `over` laid on top: existing variables keep their place, new ones follow in order. */
function mergeEnvironment(base: KeyValuePair[], over: Record<string, string>): KeyValuePair[] {
  const merged = base.map((kv) => (kv.name !== undefined && kv.name in over ? { name: kv.name, value: over[kv.name] } : kv));
  const present = new Set(base.map((kv) => kv.name));
  for (const [name, value] of Object.entries(over)) if (!present.has(name)) merged.push({ name, value });
  return merged;
}

/**
 * The new revision: the serving task definition as it is (family, roles, network, CPU, memory,
 * every other container), the service's container with the manifest's image and the variables
 * added to its environment, tagged as ml-rollout's (the serving revision's own tags kept).
 */
export function nextRevision(
  td: TaskDefinition,
  tags: { key: string; value: string }[],
  spec: EcsTargetSpec,
  variables: Record<string, string>,
  ownTags: { key: string; value: string }[],
): RegisterTaskDefinitionCommandInput {
  serviceContainer(td, spec);
  const containerDefinitions = (td.containerDefinitions ?? []).map((c) =>
    c.name === spec.containerName ? { ...c, image: spec.image, environment: mergeEnvironment(c.environment ?? [], variables) } : c,
  );
  const ours = new Set(Object.values(Tag) as string[]);
  const keep = tags.filter((t) => !ours.has(t.key));
  return {
    family: td.family,
    containerDefinitions,
    ...(td.taskRoleArn ? { taskRoleArn: td.taskRoleArn } : {}),
    ...(td.executionRoleArn ? { executionRoleArn: td.executionRoleArn } : {}),
    ...(td.networkMode ? { networkMode: td.networkMode } : {}),
    ...(td.volumes?.length ? { volumes: td.volumes } : {}),
    ...(td.placementConstraints?.length ? { placementConstraints: td.placementConstraints } : {}),
    ...(td.requiresCompatibilities?.length ? { requiresCompatibilities: td.requiresCompatibilities } : {}),
    ...(td.cpu ? { cpu: td.cpu } : {}),
    ...(td.memory ? { memory: td.memory } : {}),
    ...(td.pidMode ? { pidMode: td.pidMode } : {}),
    ...(td.ipcMode ? { ipcMode: td.ipcMode } : {}),
    ...(td.proxyConfiguration ? { proxyConfiguration: td.proxyConfiguration } : {}),
    ...(td.inferenceAccelerators?.length ? { inferenceAccelerators: td.inferenceAccelerators } : {}),
    ...(td.ephemeralStorage ? { ephemeralStorage: td.ephemeralStorage } : {}),
    ...(td.runtimePlatform ? { runtimePlatform: td.runtimePlatform } : {}),
    ...(td.enableFaultInjection !== undefined ? { enableFaultInjection: td.enableFaultInjection } : {}),
    tags: [...keep, ...ownTags],
  };
}
