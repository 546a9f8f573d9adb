import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { InvalidEventError, TransientError } from '../../../lib/errors.js';
import { S3StateStore, StateKeys } from '../../../lib/state/s3-store.js';
import type { KnownGood, RolloutRecord, Serving } from '../../../lib/state/types.js';
import { FakeBucket, s3Error } from './fake-s3.js';

const BUCKET = 'ml-rollout-test-bundles';
const s3Mock = mockClient(S3Client);
let bucket: FakeBucket;

const store = (prefix?: string) =>
  new S3StateStore(new S3Client({ region: 'eu-west-1' }), { bucket: BUCKET, ...(prefix !== undefined ? { prefix } : {}) });

const release = {
  name: 'skin-similarity',
  version: '1.2.0',
  digest: 'ab'.repeat(32),
  source: { kind: 's3' as const, bucket: BUCKET, key: 'bundles/skin-1.2.0.zip', versionId: 'v1' },
  settings: { ML_AVAILABLE: 'true' },
};
const knownGood: KnownGood = { environment: 'skin-dev', current: release, previous: [], recordedAt: '2025-03-14T09:00:00.000Z' };
const serving: Serving = {
  environment: 'skin-dev',
  targetType: 'local',
  version: '1.2.0',
  digest: release.digest,
  url: 'http://127.0.0.1:8080',
  phase: null,
  updatedAt: '2025-03-14T09:00:00.000Z',
};
const record: RolloutRecord = {
  id: 'skin-dev-1-3-0-0123456789abcdef',
  environment: 'skin-dev',
  name: 'skin-similarity',
  version: '1.3.0',
  digest: 'cd'.repeat(32),
  previousVersion: '1.2.0',
  status: 'running',
  phases: [{ name: 'minimal', status: 'pending', checks: [] }],
  rollback: { performed: false, restoredVersion: null, verified: false },
  failure: null,
  startedAt: '2025-03-14T09:00:00.000Z',
  finishedAt: null,
};

beforeEach(() => {
  s3Mock.reset();
  bucket = new FakeBucket(BUCKET);
  bucket.install(s3Mock);
});

describe('S3StateStore', () => {
  it('keeps known-good, serving and rollout records under state/<environment>/', async () => {
    const s = store();
    await s.putKnownGood(knownGood);
    await s.putServing(serving);
    await s.putRollout(record);

    expect([...bucket.objects.keys()].sort()).toEqual([
      'state/skin-dev/known-good.json',
      `state/skin-dev/rollouts/${record.id}.json`,
      'state/skin-dev/serving.json',
    ]);
    expect(s3Mock).toHaveReceivedCommandWith(PutObjectCommand, { ContentType: 'application/json' });
    await expect(s.getKnownGood('skin-dev')).resolves.toEqual(knownGood);
    await expect(s.getServing('skin-dev')).resolves.toEqual(serving);
    await expect(s.getRollout('skin-dev', record.id)).resolves.toEqual(record);
  });

  it('reads a missing object as null', async () => {
    const s = store();
    await expect(s.getKnownGood('skin-prod')).resolves.toBeNull();
    await expect(s.getServing('skin-prod')).resolves.toBeNull();
    await expect(s.getRollout('skin-prod', 'nope')).resolves.toBeNull();
  });

  it('clears serving, and clearing what is not there is fine', async () => {
    const s = store();
    await s.putServing(serving);
    await s.clearServing('skin-dev');
    await expect(s.getServing('skin-dev')).resolves.toBeNull();
    await expect(s.clearServing('skin-dev')).resolves.toBeUndefined();
  });

  it('honours another prefix', async () => {
    await store('ml-state').putKnownGood(knownGood);
    expect([...bucket.objects.keys()]).toEqual(['ml-state/skin-dev/known-good.json']);
  });

  it('refuses key segments that could reach another environment', () => {
    const keys = new StateKeys();
    expect(() => keys.knownGood('../prod')).toThrow(InvalidEventError);
    expect(() => keys.rollout('skin-dev', 'a/b')).toThrow(InvalidEventError);
    expect(keys.lock('skin-dev')).toBe('state/skin-dev/lock.json');
  });

  it('does not read a missing bucket as "no record yet"', async () => {
    const elsewhere = new S3StateStore(new S3Client({ region: 'eu-west-1' }), { bucket: 'no-such-bucket' });
    await expect(elsewhere.getKnownGood('skin-dev')).rejects.toMatchObject({
      name: 'TargetError',
      message: expect.stringMatching(/^GetObject s3:\/\/no-such-bucket\/state\/skin-dev\/known-good\.json: NoSuchBucket/),
      cause: { name: 'NoSuchBucket' },
    });
  });

  it('turns throttling and 5xx into TransientError, and access denied into a TargetError naming the key and the action', async () => {
    s3Mock.on(GetObjectCommand).rejectsOnce(s3Error('SlowDown', 503)).rejectsOnce(s3Error('AccessDenied', 403));
    await expect(store().getKnownGood('skin-dev')).rejects.toBeInstanceOf(TransientError);
    await expect(store().getKnownGood('skin-dev')).rejects.toMatchObject({
      name: 'TargetError',
      message: expect.stringMatching(/^access denied — GetObject s3:\/\/.+\/known-good\.json: the IAM action s3:GetObject is not allowed/),
      cause: { name: 'AccessDenied' },
    });
  });
});
