import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { GetObjectCommand, NoSuchKey, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { ErrorName } from '../../../lib/errors.js';
import { validateBundle } from '../../../lib/rollout/validate.js';
import { tempRuntime } from '../../support/local-runtime.js';
import { zipBuffer } from '../../support/zips.js';

const s3 = mockClient(S3Client);
const MANIFEST = 'name: skin-similarity\nversion: 1.2.0\ntarget: { environment: skin-dev }\n';
let env: Awaited<ReturnType<typeof tempRuntime>>;

beforeAll(async () => {
  env = await tempRuntime();
});
afterAll(async () => env.cleanup([]));
beforeEach(() => s3.reset());

describe('validateBundle from S3', () => {
  it('reads the object, resolves the plan with an S3 release, and leaves no files behind', async () => {
    const zip = await zipBuffer([
      { name: 'rollout.yaml', content: MANIFEST },
      { name: 'Procfile', content: 'web: node s.js\n' },
      { name: 's.js', content: '' },
    ]);
    s3.on(GetObjectCommand, { Bucket: 'b', Key: 'bundles/x.zip', VersionId: 'v1' }).resolves({ Body: Readable.from([zip]) as never });
    const plan = await validateBundle(env.rt, {
      rolloutId: 'r1',
      bundle: { bucket: 'b', key: 'bundles/x.zip', versionId: 'v1', region: 'eu-west-1' },
    });
    expect(plan).toMatchObject({
      name: 'skin-similarity',
      version: '1.2.0',
      environment: 'skin-dev',
      release: { kind: 's3', bucket: 'b', key: 'bundles/x.zip', versionId: 'v1' },
    });
    expect(plan.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(await readdir(join(env.home, 'tmp'))).toEqual([]);
    expect(await readdir(join(env.home, 'releases')).catch(() => [])).toEqual([]);
  });

  it('a missing object is an invalid bundle naming it; a 503 is transient', async () => {
    s3.on(GetObjectCommand).rejects(new NoSuchKey({ message: 'The specified key does not exist.', $metadata: { httpStatusCode: 404 } }));
    await expect(
      validateBundle(env.rt, { rolloutId: 'r2', bundle: { bucket: 'b', key: 'bundles/gone.zip', region: 'eu-west-1' } }),
    ).rejects.toMatchObject({
      name: ErrorName.BundleInvalid,
      message: 's3://b/bundles/gone.zip: no such object',
    });
    s3.reset();
    s3.on(GetObjectCommand).rejects(
      new S3ServiceException({ name: 'ServiceUnavailable', $fault: 'server', message: 'busy', $metadata: { httpStatusCode: 503 } }),
    );
    await expect(
      validateBundle(env.rt, { rolloutId: 'r3', bundle: { bucket: 'b', key: 'bundles/x.zip', region: 'eu-west-1' } }),
    ).rejects.toMatchObject({
      name: ErrorName.Transient,
    });
  });
});
