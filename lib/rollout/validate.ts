import { limitsFromEnv } from '../bundle/limits.js';
import { readBundle } from '../bundle/read.js';
import { assertCapacity } from '../plan/capacity.js';
import { resolvePlan, type Plan } from '../plan/plan.js';
import type { Runtime } from '../runtime.js';
import type { ExecutionInput } from './state.js';

/** ValidateBundle: read and check the bundle, resolve the plan. BundleInvalidError for bad input. */
export async function validateBundle(rt: Runtime, input: ExecutionInput): Promise<Plan> {
  if (!('path' in input.bundle)) {
    const { fetchBundle } = await import('../bundle/s3-fetch.js');
    const local = await fetchBundle(input.bundle, rt.home);
    try {
      const read = await readBundle(local, rt.home, limitsFromEnv());
      assertCapacity(read.manifest);
      const { bucket, key, versionId } = input.bundle;
      return resolvePlan(read.manifest, { digest: read.digest, release: { kind: 's3', bucket, key, ...(versionId ? { versionId } : {}) } }, input.options);
    } finally {
      await (await import('node:fs/promises')).rm(local, { force: true });
    }
  }
  const read = await readBundle(input.bundle.path, rt.home, limitsFromEnv());
  assertCapacity(read.manifest);
  return resolvePlan(read.manifest, { digest: read.digest, release: { kind: 'dir', path: read.dir } }, input.options);
}
