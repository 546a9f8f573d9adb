import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { BundleInvalidError, TransientError } from '../errors.js';

/** Created once per container; replaceable in tests (aws-sdk-client-mock patches the prototype). */
let client: S3Client | null = null;
export function s3(): S3Client {
  client ??= new S3Client({});
  return client;
}

/** Downloads a bundle object to a scratch file under `home`; the caller removes it. */
export async function fetchBundle(ref: { bucket: string; key: string; versionId?: string }, home: string): Promise<string> {
  const file = join(home, 'tmp', `${randomUUID()}.zip`);
  await mkdir(join(home, 'tmp'), { recursive: true });
  try {
    const out = await s3().send(new GetObjectCommand({ Bucket: ref.bucket, Key: ref.key, VersionId: ref.versionId }));
    if (!out.Body) throw new BundleInvalidError(`s3://${ref.bucket}/${ref.key} is empty`);
    await pipeline(out.Body as Readable, createWriteStream(file));
    return file;
  } catch (err) {
    const name = (err as Error).name;
    const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? 0;
    if (err instanceof BundleInvalidError) throw err;
    if (name === 'NoSuchKey' || name === 'NoSuchBucket' || name === 'NotFound') {
      throw new BundleInvalidError(`s3://${ref.bucket}/${ref.key}: no such object`, { cause: err });
    }
    if (status >= 500 || name === 'SlowDown' || name.includes('Throttl')) {
      throw new TransientError(`s3://${ref.bucket}/${ref.key}: ${(err as Error).message}`, { cause: err });
    }
    throw err;
  }
}
