import { Readable } from 'node:stream';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import yauzl from 'yauzl';
import { EntryNames } from '../bundle/zip.js';
import { BundleInvalidError } from '../errors.js';

/** A fixed version of one S3 object. */
export interface S3ObjectVersion {
  bucket: string;
  key: string;
  versionId?: string;
  /** bytes */
  size: number;
}

/** How much to read at once (defaults: 1 MiB tail, 32 MiB central directory, 1 MiB entry). */
export interface RangeLimits {
  /** The first request reads this much of the end of the file: the central directory of most bundles fits. */
  tailBytes: number;
  /** Largest central directory read into memory, bytes. */
  maxDirectoryBytes: number;
  /** Largest entry read, bytes (uncompressed). */
  maxEntryBytes: number;
}

export const DEFAULT_RANGE_LIMITS: RangeLimits = { tailBytes: 1 << 20, maxDirectoryBytes: 32 << 20, maxEntryBytes: 1 << 20 };

/**
 * Lets yauzl read a zip in S3 with ranged GETs instead of downloading it: a bundle may be
 * hundreds of MB (an index, a dataset) and the start function needs one small file of it.
 * One contiguous region at the end of the file is cached; while the central directory is being
 * listed, a miss below that region extends it in one request (yauzl reads the directory entry by
 * entry, front to back, up to the cached tail), so listing costs one or two requests in all.
 */
export class S3RangeReader extends yauzl.RandomAccessReader {
  /** GETs made so far. */
  requests = 0;
  /** While true, misses below the cache extend it (see the class comment). */
  listing = true;
  private cache: { start: number; data: Buffer } | null = null;

  constructor(
    private readonly client: S3Client,
    private readonly object: S3ObjectVersion,
    private readonly limits: RangeLimits = DEFAULT_RANGE_LIMITS,
  ) {
    super();
  }

  override _readStreamForRange(start: number, end: number): Readable {
    return Readable.from(
      (async function* (reader: S3RangeReader) {
        yield await reader.bytes(start, end);
      })(this),
    );
  }

  /** Bytes [start, end) of the object. */
  async bytes(start: number, end: number): Promise<Buffer> {
    const c = this.cache;
    if (c && start >= c.start && end <= c.start + c.data.length) return c.data.subarray(start - c.start, end - c.start);
    if (!c) {
      const from = Math.max(0, Math.min(start, this.object.size - this.limits.tailBytes));
      this.cache = { start: from, data: await this.get(from, this.object.size) };
      return this.bytes(start, end);
    }
    if (
      this.listing &&
      start < c.start &&
      end <= c.start + c.data.length &&
      c.start + c.data.length - start <= this.limits.maxDirectoryBytes
    ) {
      const below = await this.get(start, c.start);
      this.cache = { start, data: Buffer.concat([below, c.data]) };
      return this.bytes(start, end);
    }
    if (end - start > this.limits.maxDirectoryBytes) {
      throw new BundleInvalidError(`s3://${this.object.bucket}/${this.object.key}: a read of ${end - start} bytes is past the limit`);
    }
    return this.get(start, end);
  }

  private async get(start: number, end: number): Promise<Buffer> {
    if (end <= start) return Buffer.alloc(0);
    this.requests += 1;
    const out = await this.client.send(
      new GetObjectCommand({
        Bucket: this.object.bucket,
        Key: this.object.key,
        ...(this.object.versionId ? { VersionId: this.object.versionId } : {}),
        Range: `bytes=${start}-${end - 1}`,
      }),
    );
    if (!out.Body) throw new BundleInvalidError(`s3://${this.object.bucket}/${this.object.key}: empty answer to a range request`);
    const data = Buffer.from(await out.Body.transformToByteArray());
    if (data.length !== end - start) {
      throw new BundleInvalidError(
        `s3://${this.object.bucket}/${this.object.key}: asked for ${end - start} bytes at ${start}, got ${data.length}`,
      );
    }
    return data;
  }
}

async function collect(stream: Readable, max: number, label: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    total += (chunk as Buffer).length;
    if (total > max) {
      stream.destroy();
      throw new BundleInvalidError(`${label} is larger than ${max} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * Reads one file at the root of a zip in S3 (e.g. rollout.yaml) with a few ranged GETs; null when
 * the zip has no such entry. BundleInvalidError when the object is not a readable zip.
 */
export async function readZipEntry(
  client: S3Client,
  object: S3ObjectVersion,
  name: string,
  limits: RangeLimits = DEFAULT_RANGE_LIMITS,
): Promise<{ data: Buffer; requests: number } | null> {
  const where = `s3://${object.bucket}/${object.key}`;
  const reader = new S3RangeReader(client, object, limits);
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.fromRandomAccessReaderPromise(reader, object.size, { autoClose: false, validateEntrySizes: true });
  } catch (err) {
    if (err instanceof BundleInvalidError) throw err;
    // S3 errors (access, throttling) are not the bundle's fault: let the caller see them as they are.
    if ((err as { $metadata?: unknown }).$metadata) throw err;
    throw new BundleInvalidError(`${where} is not a zip file (${(err as Error).message})`, { cause: err });
  }
  try {
    // The whole directory is listed first: an entry name twice refuses the bundle (EntryNames).
    const names = new EntryNames();
    let found: yauzl.Entry | null = null;
    for await (const e of zip.eachEntry()) {
      const twice = names.add(e.fileName);
      if (twice) throw new BundleInvalidError(`${where}: ${twice}`);
      if (e.fileName === name) found = e;
    }
    if (found) {
      const entry = found;
      if (entry.uncompressedSize > limits.maxEntryBytes) {
        throw new BundleInvalidError(`${where}: ${name} is larger than ${limits.maxEntryBytes} bytes`);
      }
      reader.listing = false;
      const stream = await zip.openReadStreamPromise(entry);
      return { data: await collect(stream, limits.maxEntryBytes, `${where}: ${name}`), requests: reader.requests };
    }
    return null;
  } catch (err) {
    if (err instanceof BundleInvalidError || (err as { $metadata?: unknown }).$metadata) throw err;
    throw new BundleInvalidError(`${where}: ${(err as Error).message}`, { cause: err });
  } finally {
    zip.close();
  }
}
