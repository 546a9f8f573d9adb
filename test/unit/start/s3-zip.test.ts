import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { BundleInvalidError } from '../../../lib/errors.js';
import { readZipEntry, DEFAULT_RANGE_LIMITS } from '../../../lib/start/s3-zip.js';
import { FakeBucket } from '../state/fake-s3.js';
import { bundle, makeZip, manifest } from './zip.js';

const BUCKET = 'ml-rollout-test-bundles';
const s3Mock = mockClient(S3Client);
let bucket: FakeBucket;
const client = () => new S3Client({ region: 'eu-west-1' });

beforeEach(() => {
  s3Mock.reset();
  bucket = new FakeBucket(BUCKET);
  bucket.install(s3Mock);
});

function objectOf(key: string) {
  const o = bucket.objects.get(key);
  if (!o) throw new Error(`no ${key}`);
  return { bucket: BUCKET, key, versionId: o.versionId, size: o.body.length };
}

describe('readZipEntry', () => {
  it('reads rollout.yaml of a small bundle with one ranged GET of the pinned version', async () => {
    bucket.store('bundles/small.zip', await bundle('skin-dev', '1.3.0'));
    const object = objectOf('bundles/small.zip');

    const found = await readZipEntry(client(), object, 'rollout.yaml');

    expect(found?.data.toString('utf8')).toBe(manifest('skin-dev', '1.3.0'));
    expect(found?.requests).toBe(1);
    expect(s3Mock).toHaveReceivedCommandWith(GetObjectCommand, { VersionId: object.versionId, Range: `bytes=0-${object.size - 1}` });
  });

  it('reads a big bundle without downloading it: the directory in one or two requests, then the entry', async () => {
    const files: Record<string, string | Buffer> = { 'rollout.yaml': manifest('skin-dev', '2.0.0') };
    files['index.faiss'] = Buffer.alloc(3 << 20, 7); // stored, so the zip is really this big
    for (let i = 0; i < 3_000; i++) files[`data/scin/image-${String(i).padStart(5, '0')}.json`] = `{"i":${i}}`;
    bucket.store('bundles/big.zip', await makeZip(files, false));
    const object = objectOf('bundles/big.zip');
    // A small first read makes the central directory (≈ 200 KB here) spill below it.
    const limits = { ...DEFAULT_RANGE_LIMITS, tailBytes: 64 << 10 };

    const found = await readZipEntry(client(), object, 'rollout.yaml', limits);

    expect(found?.data.toString('utf8')).toBe(manifest('skin-dev', '2.0.0'));
    // tail + rest of the directory + local header + data
    expect(found?.requests).toBeLessThanOrEqual(4);
    const fetched = s3Mock.commandCalls(GetObjectCommand).reduce((sum, c) => {
      const [, from, to] = /bytes=(\d+)-(\d+)/.exec(c.args[0].input.Range ?? '') ?? [];
      return sum + Number(to) - Number(from) + 1;
    }, 0);
    expect(fetched).toBeLessThan(object.size / 5);
  });

  it('answers null when the zip has no such entry', async () => {
    bucket.store('bundles/none.zip', await makeZip({ Procfile: 'web: x\n', 'sub/rollout.yaml': 'name: x\n' }));
    await expect(readZipEntry(client(), objectOf('bundles/none.zip'), 'rollout.yaml')).resolves.toBeNull();
  });

  it('rejects what is not a zip, and an entry past the size limit, as BundleInvalidError', async () => {
    bucket.store('bundles/text.zip', 'this is not a zip file at all');
    await expect(readZipEntry(client(), objectOf('bundles/text.zip'), 'rollout.yaml')).rejects.toBeInstanceOf(BundleInvalidError);

    bucket.store('bundles/huge.zip', await makeZip({ 'rollout.yaml': 'x'.repeat(5_000) }));
    const limits = { ...DEFAULT_RANGE_LIMITS, maxEntryBytes: 1_000 };
    await expect(readZipEntry(client(), objectOf('bundles/huge.zip'), 'rollout.yaml', limits)).rejects.toThrow(/larger than 1000 bytes/);
  });

  it('lets S3 errors through as they are (not the bundle’s fault)', async () => {
    bucket.store('bundles/gone.zip', await bundle('skin-dev', '1.0.0'));
    const object = { ...objectOf('bundles/gone.zip'), versionId: 'v-deleted' };
    await expect(readZipEntry(client(), object, 'rollout.yaml')).rejects.toMatchObject({ name: 'NoSuchKey' });
  });
});
