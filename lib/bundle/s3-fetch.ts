import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { awsClient, s3ClientFor } from '../aws/clients.js';
import { mapAwsError } from '../aws/errors.js';
import { BundleInvalidError } from '../errors.js';

/**
 * The S3 client of this process's own region (a Lambda's: the state bucket, the bucket of an S3
 * event), following a bucket's region redirect; built and kept by lib/aws/clients.ts.
 */
export function s3(): S3Client {
  return awsClient(S3Client, { followRegionRedirects: true });
}

/** An S3 bundle object; `region` is the manifest's target.region when the CLI uploaded it. */
export interface S3BundleRef {
  bucket: string;
  key: string;
  versionId?: string | undefined;
  region?: string | undefined;
}

/**
 * Downloads a bundle object to a scratch file under `home`; the caller removes it. The client is
 * in the reference's region (else this process's), and follows a redirect to the bucket's own.
 */
export async function fetchBundle(ref: S3BundleRef, home: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const file = join(home, 'tmp', `${randomUUID()}.zip`);
  await mkdir(join(home, 'tmp'), { recursive: true });
  const where = `s3://${ref.bucket}/${ref.key}`;
  const client = s3ClientFor(S3Client, ref.region, env);
  try {
    const out = await client.send(new GetObjectCommand({ Bucket: ref.bucket, Key: ref.key, VersionId: ref.versionId }));
    if (!out.Body) throw new BundleInvalidError(`${where} is empty`);
    await pipeline(out.Body as Readable, createWriteStream(file));
    return file;
  } catch (err) {
    const name = (err as Error).name;
    if (err instanceof BundleInvalidError) throw err;
    if (name === 'NoSuchKey' || name === 'NoSuchBucket' || name === 'NotFound') {
      throw new BundleInvalidError(`${where}: no such object`, { cause: err });
    }
    throw mapAwsError(err, `GetObject ${where}`);
  }
}
