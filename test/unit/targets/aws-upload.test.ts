import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HeadObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { TargetError } from '../../../lib/errors.js';
import { bundleKey, uploadBundle } from '../../../lib/targets/aws-upload.js';

const s3 = mockClient(S3Client);
let dir: string;
let zip: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ml-rollout-upload-'));
  zip = join(dir, 'bundle.zip');
  await writeFile(zip, Buffer.from('PK\u0005\u0006'.padEnd(22, '\u0000')));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  s3.restore();
});
beforeEach(() => s3.reset());

const s3Error = (name: string, status: number) =>
  new S3ServiceException({ name, message: name, $fault: 'client', $metadata: { httpStatusCode: status } });
const KEY = bundleKey('skin-similarity', '1.2.0', 'ab'.repeat(32));

describe('uploadBundle', () => {
  it('keys a bundle by name, version and digest', () => {
    expect(KEY).toBe('ml-rollout/bundles/skin-similarity/1.2.0-abababababab.zip');
  });

  it('puts a bundle that is not there yet', async () => {
    s3.on(HeadObjectCommand).rejects(s3Error('NotFound', 404));
    s3.on(PutObjectCommand).resolves({ VersionId: 'v1' });
    const out = await uploadBundle(zip, 'skin-bundles', KEY, { client: new S3Client({ region: 'eu-west-1' }) });
    expect(out).toEqual({ bucket: 'skin-bundles', key: KEY, versionId: 'v1', uploaded: true });
    expect(s3).toHaveReceivedCommandWith(PutObjectCommand, {
      Bucket: 'skin-bundles',
      Key: KEY,
      ContentLength: 22,
      ContentType: 'application/zip',
    });
  });

  it('keeps a bundle of the same key and size', async () => {
    s3.on(HeadObjectCommand).resolves({ ContentLength: 22, VersionId: 'v0' });
    const out = await uploadBundle(zip, 'skin-bundles', KEY, { region: 'eu-west-1' });
    expect(out).toEqual({ bucket: 'skin-bundles', key: KEY, versionId: 'v0', uploaded: false });
    expect(s3).not.toHaveReceivedCommand(PutObjectCommand);
  });

  it('names the bucket when access is denied', async () => {
    s3.on(HeadObjectCommand).rejects(s3Error('NotFound', 404));
    s3.on(PutObjectCommand).rejects(s3Error('AccessDenied', 403));
    const err = await uploadBundle(zip, 'skin-bundles', KEY, { region: 'eu-west-1' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TargetError);
    expect((err as Error).message).toBe(
      `access denied — PutObject s3://skin-bundles/${KEY}: the IAM action s3:PutObject is not allowed (AccessDenied)`,
    );
  });
});
