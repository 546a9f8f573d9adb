import { stat, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { BundleInvalidError } from '../../lib/errors.js';
import type { Plan } from '../../lib/plan/plan.js';
import type { BundleRef } from '../../lib/rollout/state.js';
import { bundleKey, uploadBundle } from '../../lib/targets/aws-upload.js';
import { pack } from './pack.js';
import { planBundle } from './plan.js';

/**
 * The execution's `bundle`: a local path, or — for an AWS target, whose tasks read the bundle
 * from S3 as they do on AWS — the S3 object it was uploaded to (the manifest's bucket, or
 * --bucket). A bundle that fails validation goes by path, so the state machine rejects it as usual.
 */
export async function executionBundle(bundle: string, bucketFlag: string | undefined, out: (l: string) => void): Promise<BundleRef> {
  return (await plannedExecutionBundle(bundle, bucketFlag, out)).ref;
}

/** executionBundle, with the plan it read (null when the bundle does not validate). */
export async function plannedExecutionBundle(
  bundle: string,
  bucketFlag: string | undefined,
  out: (l: string) => void,
): Promise<{ ref: BundleRef; plan: Plan | null }> {
  let planned: Awaited<ReturnType<typeof planBundle>>;
  try {
    planned = await planBundle(bundle);
  } catch {
    return { ref: { path: bundle }, plan: null };
  }
  return { ref: await refOf(bundle, bucketFlag, out, planned), plan: planned.plan };
}

async function refOf(
  bundle: string,
  bucketFlag: string | undefined,
  out: (l: string) => void,
  planned: Awaited<ReturnType<typeof planBundle>>,
): Promise<BundleRef> {
  const { manifest, plan } = planned;
  const target = manifest.target;
  if (target.type === 'local') return { path: bundle };
  const bucket = bucketFlag ?? ('bucket' in target && typeof target.bucket === 'string' ? target.bucket : undefined);
  if (!bucket) {
    if (target.type === 'sagemaker' || target.type === 'ecs') return { path: bundle };
    throw new BundleInvalidError(`target ${target.type} needs a bucket for the bundle: set target.bucket or pass --bucket`);
  }
  const isDir = (await stat(bundle)).isDirectory();
  const zip = isDir ? join(tmpdir(), `ml-rollout-${randomUUID()}.zip`) : bundle;
  try {
    if (isDir) await pack(bundle, zip);
    const key = bundleKey(manifest.name, manifest.version, plan.digest);
    const region = 'region' in target ? (target.region as string) : undefined;
    const up = await uploadBundle(zip, bucket, key, region ? { region } : {});
    out(`${up.uploaded ? 'uploaded' : 'already in S3:'} s3://${bucket}/${key}`);
    // The tasks read the bundle in the manifest's region too, whatever AWS_REGION says.
    return { bucket, key, ...(up.versionId ? { versionId: up.versionId } : {}), ...(region ? { region } : {}) };
  } finally {
    if (isDir) await rm(zip, { force: true });
  }
}
