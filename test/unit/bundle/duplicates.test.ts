import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BundleInvalidError } from '../../../lib/errors.js';
import { readBundle } from '../../../lib/bundle/read.js';
import { readZipEntry } from '../../../lib/start/s3-zip.js';
import { zipBuffer } from '../../support/zips.js';
import { FakeBucket } from '../state/fake-s3.js';

/**
 * Issue 14, case 10: a zip with two rollout.yaml entries deployed the last one locally while
 * startRollout read the first (another environment and version). A name twice refuses the bundle,
 * in both readers.
 */
const manifest = (env: string, version: string) => `name: app\nversion: ${version}\ntarget: { type: local, environment: ${env} }\n`;
const twice = () =>
  zipBuffer([
    { name: 'rollout.yaml', content: manifest('staging', '1.0.0') },
    { name: 'Procfile', content: 'web: node server.js\n' },
    { name: 'rollout.yaml', content: manifest('prod', '9.9.9') },
  ]);

let home: string;
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'dup-'));
});
afterEach(() => rm(home, { recursive: true, force: true }));

it('locally: refused, naming the entry, and nothing is kept', async () => {
  const zip = join(home, 'b.zip');
  await writeFile(zip, await twice());
  const err = await readBundle(zip, home).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(BundleInvalidError);
  expect((err as Error).message).toBe(`${zip}: entry rollout.yaml appears more than once`);
  expect(await readdir(join(home, 'tmp'))).toEqual([]);
  expect(await readdir(home)).not.toContain('releases');
});

it('a path written two ways (app/./x.js and app/x.js) is the same entry', async () => {
  const zip = join(home, 'b.zip');
  await writeFile(
    zip,
    await zipBuffer([
      { name: 'rollout.yaml', content: manifest('staging', '1.0.0') },
      { name: 'Procfile', content: 'web: node server.js\n' },
      { name: 'app/x.js', content: 'a' },
      { name: 'app/./x.js', content: 'b' },
    ]),
  );
  await expect(readBundle(zip, home)).rejects.toThrow('entry app/./x.js appears more than once');
});

it('in startRollout, read from S3: refused too', async () => {
  const s3Mock = mockClient(S3Client);
  const bucket = new FakeBucket('b');
  bucket.install(s3Mock);
  bucket.store('bundles/twice.zip', await twice());
  const o = bucket.objects.get('bundles/twice.zip')!;
  const object = { bucket: 'b', key: 'bundles/twice.zip', versionId: o.versionId, size: o.body.length };
  await expect(readZipEntry(new S3Client({ region: 'eu-west-1' }), object, 'rollout.yaml')).rejects.toThrow(
    new BundleInvalidError('s3://b/bundles/twice.zip: entry rollout.yaml appears more than once'),
  );
  expect(s3Mock.commandCalls(GetObjectCommand).length).toBeGreaterThan(0);
  s3Mock.restore();
});
