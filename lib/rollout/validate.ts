import { rm } from 'node:fs/promises';
import { limitsFromEnv } from '../bundle/limits.js';
import { readBundle } from '../bundle/read.js';
import { fetchBundle } from '../bundle/s3-fetch.js';
import { assertCapacity } from '../plan/capacity.js';
import { resolvePlan, type Plan } from '../plan/plan.js';
import type { Runtime } from '../runtime.js';
import type { ExecutionInput } from './state.js';

/**
 * ValidateBundle: read and check the bundle (from this machine, or from S3 into scratch space),
 * run the capacity preflight, resolve the plan. BundleInvalidError for bad input.
 */
export async function validateBundle(rt: Runtime, input: ExecutionInput): Promise<Plan> {
  const ref = input.bundle;
  if ('path' in ref) {
    const read = await readBundle(ref.path, rt.home, limitsFromEnv());
    assertCapacity(read.manifest);
    return resolvePlan(read.manifest, { digest: read.digest, release: { kind: 'dir', path: read.dir } }, input.options);
  }
  const local = await fetchBundle(ref, rt.home);
  let dir: string | null = null;
  try {
    const read = await readBundle(local, rt.home, limitsFromEnv());
    dir = read.dir;
    assertCapacity(read.manifest);
    const release = { kind: 's3' as const, bucket: ref.bucket, key: ref.key, ...(ref.versionId ? { versionId: ref.versionId } : {}) };
    return resolvePlan(read.manifest, { digest: read.digest, release }, input.options);
  } finally {
    // The release stays in S3; its files here were only read to validate it (Lambda's /tmp is small).
    await rm(local, { force: true });
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}
