import { createHash } from 'node:crypto';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3ServiceException,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { AwsClientStub } from 'aws-sdk-client-mock';

/** An S3 error as the SDK raises it (name + HTTP status). */
export function s3Error(name: string, status: number): S3ServiceException {
  return new S3ServiceException({
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
    message: `${name} (${status})`,
  });
}

interface Stored {
  body: Buffer;
  etag: string;
  versionId: string;
}

/** What GetObject's Body offers (the SDK's stream mixin), over a buffer. */
function body(data: Buffer) {
  return {
    transformToString: async (encoding: BufferEncoding = 'utf8') => data.toString(encoding),
    transformToByteArray: async () => new Uint8Array(data),
  };
}

/**
 * One bucket in memory with S3's conditional-write semantics: PutObject with IfNoneMatch '*'
 * fails with 412 when the key exists, IfMatch fails with 412 on another ETag (404 when the key
 * is gone), DeleteObject with IfMatch likewise. Each request is applied atomically, as S3 does.
 */
export class FakeBucket {
  readonly objects = new Map<string, Stored>();
  private versions = 0;

  constructor(readonly name: string) {}

  store(key: string, data: Buffer | string): Stored {
    const buf = Buffer.isBuffer(data) ? data : Buffer.from(data);
    this.versions += 1;
    const stored = { body: buf, etag: `"${createHash('md5').update(buf).digest('hex')}"`, versionId: `v${this.versions}` };
    this.objects.set(key, stored);
    return stored;
  }

  text(key: string): string | undefined {
    return this.objects.get(key)?.body.toString('utf8');
  }

  /** Answers S3Client.send for Get/Head/Put/Delete on this bucket. */
  install(mock: AwsClientStub<S3Client>): void {
    const find = (input: { Bucket?: string; Key?: string; VersionId?: string }): Stored => {
      if (input.Bucket !== this.name) throw s3Error('NoSuchBucket', 404);
      const found = this.objects.get(input.Key ?? '');
      if (!found || (input.VersionId && input.VersionId !== found.versionId)) throw s3Error('NoSuchKey', 404);
      return found;
    };
    mock.on(GetObjectCommand).callsFake(async (input: { Bucket?: string; Key?: string; VersionId?: string; Range?: string }) => {
      const found = find(input);
      let data = found.body;
      const range = input.Range ? /^bytes=(\d+)-(\d+)$/.exec(input.Range) : null;
      if (input.Range && !range) throw s3Error('InvalidRange', 416);
      if (range) data = data.subarray(Number(range[1]), Number(range[2]) + 1);
      return { Body: body(data), ETag: found.etag, VersionId: found.versionId, ContentLength: data.length };
    });
    mock.on(HeadObjectCommand).callsFake(async (input: { Bucket?: string; Key?: string; VersionId?: string }) => {
      const found = find(input);
      return { ETag: found.etag, VersionId: found.versionId, ContentLength: found.body.length };
    });
    mock
      .on(PutObjectCommand)
      .callsFake(async (input: { Bucket?: string; Key?: string; Body?: string | Buffer; IfNoneMatch?: string; IfMatch?: string }) => {
        if (input.Bucket !== this.name) throw s3Error('NoSuchBucket', 404);
        const current = this.objects.get(input.Key ?? '');
        if (input.IfNoneMatch === '*' && current) throw s3Error('PreconditionFailed', 412);
        if (input.IfMatch !== undefined) {
          if (!current) throw s3Error('NoSuchKey', 404);
          if (current.etag !== input.IfMatch) throw s3Error('PreconditionFailed', 412);
        }
        const stored = this.store(input.Key ?? '', Buffer.from(input.Body ?? ''));
        return { ETag: stored.etag, VersionId: stored.versionId };
      });
    mock.on(DeleteObjectCommand).callsFake(async (input: { Bucket?: string; Key?: string; IfMatch?: string }) => {
      if (input.Bucket !== this.name) throw s3Error('NoSuchBucket', 404);
      const current = this.objects.get(input.Key ?? '');
      if (input.IfMatch !== undefined) {
        if (!current) throw s3Error('NoSuchKey', 404);
        if (current.etag !== input.IfMatch) throw s3Error('PreconditionFailed', 412);
      }
      this.objects.delete(input.Key ?? '');
      return {};
    });
  }
}
