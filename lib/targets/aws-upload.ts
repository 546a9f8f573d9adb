import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { s3ClientFor } from '../aws/clients.js';
import { AWS_DEFAULTS } from '../plan/defaults.js';
import { aws, isNotFound, mapAwsError } from '../aws/errors.js';

/** Where an uploaded bundle went: what the execution input's `bundle` takes. */
export interface UploadedBundle {
  bucket: string;
  key: string;
  versionId?: string;
  /** false when an object of the same key and size was there already (same digest, same bytes). */
  uploaded: boolean;
}

/**
 * The bundle's S3 key: by name, version and digest, so that the same bundle always lands on the
 * same object and two bundles of one version never overwrite each other.
 */
export function bundleKey(name: string, version: string, digest: string): string {
  return `${AWS_DEFAULTS.bundlePrefix}${name}/${version}-${digest.slice(0, 12)}.zip`;
}

export interface UploadOptions {
  /** The bucket's region (the manifest's target.region); a redirect to the bucket's own is followed. */
  region?: string;
  /** A client of your own (tests, custom endpoints). */
  client?: Pick<S3Client, 'send'>;
}

/**
 * Pushes a bundle .zip to S3 before a local-engine run against an AWS target. An object already
 * at the key with the same size is kept (the key holds the digest). Throws TargetError naming the
 * bucket (access denied, no such bucket) or TransientError (throttling, 5xx).
 */
export async function uploadBundle(zipPath: string, bucket: string, key: string, options: UploadOptions = {}): Promise<UploadedBundle> {
  const client = options.client ?? s3ClientFor(S3Client, options.region);
  const size = (await stat(zipPath)).size;
  const where = `s3://${bucket}/${key}`;
  try {
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    if (head.ContentLength === size) return { bucket, key, ...(head.VersionId ? { versionId: head.VersionId } : {}), uploaded: false };
  } catch (err) {
    if (!isNotFound(err)) throw mapAwsError(err, `HeadObject ${where}`);
  }
  const put = await aws(`PutObject ${where}`, () =>
    client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: createReadStream(zipPath),
        ContentLength: size,
        ContentType: 'application/zip',
      }),
    ),
  );
  return { bucket, key, ...(put.VersionId ? { versionId: put.VersionId } : {}), uploaded: true };
}
