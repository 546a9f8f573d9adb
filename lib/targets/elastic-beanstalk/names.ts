import * as z from 'zod';
import type { Plan } from '../../plan/plan.js';
import type { Release } from '../../state/types.js';
import type { EbTargetState } from './options.js';

/** Hex digits of the digest in a version label: enough to tell two bundles of one version apart. */
const LABEL_DIGEST = 12;

/**
 * The application version label of a release: its version plus a digest prefix, so that a bundle
 * rebuilt under the same version number becomes a new application version, and the same bundle
 * deployed again reuses its own.
 */
export function versionLabel(version: string, digest: string): string {
  return `${version}-${digest.slice(0, LABEL_DIGEST)}`;
}

/** The application version's description: where current() reads the version and full digest back. */
export function versionDescription(plan: Pick<Plan, 'version' | 'digest'>): string {
  return `ml-rollout ${plan.version} sha256:${plan.digest}`;
}

/** Version and digest from a description written by versionDescription; null for others. */
export function parseDescription(description: string | undefined): { version: string; digest: string } | null {
  const m = /^ml-rollout (\S+) sha256:([0-9a-f]{64})$/.exec(description ?? '');
  return m?.[1] && m[2] ? { version: m[1], digest: m[2] } : null;
}

const instanceOption = z.object({ namespace: z.string(), name: z.string(), value: z.string().nullable() });

/** A Release's targetState as this target wrote it (it comes back as JSON from the state store). */
const targetStateSchema = z.object({
  versionLabel: z.string().min(1),
  environmentVariables: z.record(z.string(), z.string()),
  instanceOptions: z.array(instanceOption),
});

/**
 * What restoring `release` means on Elastic Beanstalk. A release recorded by this target carries
 * its full targetState; one recorded without it is restored from its version and settings, and
 * leaves the instance options as they are (nothing says what they were).
 */
export function restoreStateOf(release: Release): EbTargetState {
  const parsed = targetStateSchema.safeParse(release.targetState);
  if (parsed.success) return parsed.data;
  return {
    versionLabel: versionLabel(release.version, release.digest),
    environmentVariables: release.settings,
    instanceOptions: [],
  };
}
