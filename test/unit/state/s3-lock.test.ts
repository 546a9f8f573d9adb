import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { ErrorName, LockHeldError, TransientError } from '../../../lib/errors.js';
import { S3LockStore } from '../../../lib/state/s3-lock.js';
import type { LockEntry } from '../../../lib/state/types.js';
import { FakeBucket, s3Error } from './fake-s3.js';

const BUCKET = 'ml-rollout-test-bundles';
const KEY = 'state/skin-dev/lock.json';
const T0 = Date.parse('2025-03-14T09:00:00.000Z');

const s3Mock = mockClient(S3Client);
let bucket: FakeBucket;
let now: number;
const clock = { now: () => now };

function entry(rolloutId: string, version: string, leaseMinutes = 30): LockEntry {
  return {
    environment: 'skin-dev',
    rolloutId,
    version,
    since: new Date(now).toISOString(),
    expiresAt: new Date(now + leaseMinutes * 60_000).toISOString(),
    owner: `arn:aws:states:eu-west-1:123456789012:execution:ml-rollout-test-rollout:${rolloutId}`,
  };
}

function store(): S3LockStore {
  return new S3LockStore(new S3Client({ region: 'eu-west-1' }), { bucket: BUCKET, clock });
}

beforeEach(() => {
  s3Mock.reset();
  bucket = new FakeBucket(BUCKET);
  bucket.install(s3Mock);
  now = T0;
});

describe('S3LockStore.acquire', () => {
  it('takes a free lock with If-None-Match: * and stores the entry', async () => {
    const mine = entry('skin-dev-1-3-0-aaaa', '1.3.0');
    await store().acquire(mine);
    expect(s3Mock).toHaveReceivedCommandWith(PutObjectCommand, { Bucket: BUCKET, Key: KEY, IfNoneMatch: '*' });
    expect(JSON.parse(bucket.text(KEY) ?? 'null')).toEqual(mine);
  });

  it('lets exactly one of two racing uploads for one environment through; the other learns who holds it', async () => {
    const first = entry('skin-dev-1-3-0-aaaa', '1.3.0');
    const second = entry('skin-dev-1-4-0-bbbb', '1.4.0');
    const results = await Promise.allSettled([store().acquire(first), store().acquire(second)]);

    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    const holder = JSON.parse(bucket.text(KEY) ?? 'null') as LockEntry;
    const loser = holder.rolloutId === first.rolloutId ? second : first;
    const err = lost[0]?.reason as LockHeldError;
    expect(err).toBeInstanceOf(LockHeldError);
    expect(err.name).toBe(ErrorName.LockHeld);
    expect(err.holder.rolloutId).toBe(holder.rolloutId);
    expect(err.message).toContain(`version ${holder.version}`);
    expect(err.message).toContain(holder.since);
    expect(holder.rolloutId).not.toBe(loser.rolloutId);
    // Both tried the conditional create; only one write landed.
    expect(s3Mock).toHaveReceivedCommandTimes(PutObjectCommand, 2);
  });

  it('answers a 412 PreconditionFailed with LockHeldError naming the running rollout, version and since', async () => {
    const running = entry('skin-dev-1-3-0-aaaa', '1.3.0');
    bucket.store(KEY, JSON.stringify(running));
    now = T0 + 5 * 60_000;

    const err = await store()
      .acquire(entry('skin-dev-1-4-0-bbbb', '1.4.0'))
      .catch((e: unknown) => e);

    expect(err).toBeInstanceOf(LockHeldError);
    expect((err as LockHeldError).message).toContain('skin-dev-1-3-0-aaaa');
    expect((err as LockHeldError).message).toContain('version 1.3.0');
    expect((err as LockHeldError).message).toContain(running.since);
    expect(JSON.parse(bucket.text(KEY) ?? 'null')).toEqual(running);
  });

  it('is re-entrant for the same rollout (a retried AcquireLock task)', async () => {
    const mine = entry('skin-dev-1-3-0-aaaa', '1.3.0');
    await store().acquire(mine);
    await store().acquire(mine);
    expect(s3Mock).toHaveReceivedCommandTimes(PutObjectCommand, 2);
    expect(JSON.parse(bucket.text(KEY) ?? 'null')).toEqual(mine);
  });

  it('takes over a lock whose lease ran out, with If-Match on the stale ETag', async () => {
    const stale = bucket.store(KEY, JSON.stringify(entry('crashed-run', '1.2.0', 10)));
    now = T0 + 11 * 60_000;
    const mine = entry('skin-dev-1-3-0-aaaa', '1.3.0');

    await store().acquire(mine);

    expect(s3Mock).toHaveReceivedCommandWith(PutObjectCommand, { Key: KEY, IfMatch: stale.etag });
    expect(JSON.parse(bucket.text(KEY) ?? 'null')).toEqual(mine);
  });

  it('loses a takeover race cleanly: the rollout that changed the lock first holds it', async () => {
    bucket.store(KEY, JSON.stringify(entry('crashed-run', '1.2.0', 10)));
    now = T0 + 11 * 60_000;
    const winner = entry('skin-dev-1-4-0-bbbb', '1.4.0');
    // Between our read of the stale lock and our If-Match write, another rollout takes it over.
    s3Mock.on(PutObjectCommand, { IfMatch: bucket.objects.get(KEY)?.etag }).callsFakeOnce(async () => {
      bucket.store(KEY, JSON.stringify(winner));
      throw s3Error('PreconditionFailed', 412);
    });

    const err = await store()
      .acquire(entry('skin-dev-1-3-0-aaaa', '1.3.0'))
      .catch((e: unknown) => e);

    expect(err).toBeInstanceOf(LockHeldError);
    expect((err as LockHeldError).holder.rolloutId).toBe(winner.rolloutId);
    expect(JSON.parse(bucket.text(KEY) ?? 'null')).toEqual(winner);
  });

  it('treats an unreadable lock object as stale and takes it over', async () => {
    bucket.store(KEY, 'not json');
    const mine = entry('skin-dev-1-3-0-aaaa', '1.3.0');
    await store().acquire(mine);
    expect(JSON.parse(bucket.text(KEY) ?? 'null')).toEqual(mine);
  });

  it('hands S3 outages to the state machine as TransientError (retried, not caught)', async () => {
    s3Mock.on(PutObjectCommand).rejects(s3Error('ServiceUnavailable', 503));
    const err = await store()
      .acquire(entry('skin-dev-1-3-0-aaaa', '1.3.0'))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect((err as Error).name).toBe(ErrorName.Transient);
  });

  it('access denied is a TargetError naming the key and the action (a permanent fault of the deployment)', async () => {
    s3Mock.on(PutObjectCommand).rejects(s3Error('AccessDenied', 403));
    await expect(store().acquire(entry('skin-dev-1-3-0-aaaa', '1.3.0'))).rejects.toMatchObject({
      name: 'TargetError',
      message: expect.stringMatching(
        /^access denied — PutObject s3:\/\/.+\/lock\.json \(take the lock of skin-dev\): the IAM action s3:PutObject/,
      ),
      cause: { name: 'AccessDenied' },
    });
  });
});

describe('S3LockStore.release / renew / clear / get', () => {
  it('releases its own lock with a conditional delete on the ETag it read', async () => {
    const mine = entry('skin-dev-1-3-0-aaaa', '1.3.0');
    await store().acquire(mine);
    const etag = bucket.objects.get(KEY)?.etag;

    await expect(store().release('skin-dev', mine.rolloutId)).resolves.toBe(true);

    expect(s3Mock).toHaveReceivedCommandWith(DeleteObjectCommand, { Key: KEY, IfMatch: etag });
    expect(bucket.objects.has(KEY)).toBe(false);
  });

  it('does not release a lock another rollout holds', async () => {
    await store().acquire(entry('skin-dev-1-3-0-aaaa', '1.3.0'));
    await expect(store().release('skin-dev', 'someone-else')).resolves.toBe(false);
    expect(s3Mock).not.toHaveReceivedCommand(DeleteObjectCommand);
    expect(bucket.objects.has(KEY)).toBe(true);
  });

  it('does not delete a lock that changed hands between the read and the delete', async () => {
    const mine = entry('skin-dev-1-3-0-aaaa', '1.3.0');
    await store().acquire(mine);
    const next = entry('skin-dev-1-4-0-bbbb', '1.4.0');
    s3Mock.on(DeleteObjectCommand).callsFakeOnce(async () => {
      bucket.store(KEY, JSON.stringify(next));
      throw s3Error('PreconditionFailed', 412);
    });

    await expect(store().release('skin-dev', mine.rolloutId)).resolves.toBe(false);
    expect(JSON.parse(bucket.text(KEY) ?? 'null')).toEqual(next);
  });

  it('releasing a free lock is not an error', async () => {
    await expect(store().release('skin-dev', 'skin-dev-1-3-0-aaaa')).resolves.toBe(false);
  });

  it('renews its own lease with If-Match, and not a lock taken over after its lease ran out', async () => {
    const mine = entry('skin-dev-1-3-0-aaaa', '1.3.0', 10);
    await store().acquire(mine);
    const etag = bucket.objects.get(KEY)?.etag;
    const later = new Date(T0 + 60 * 60_000).toISOString();

    await expect(store().renew('skin-dev', mine.rolloutId, later)).resolves.toBe(true);
    expect(s3Mock).toHaveReceivedCommandWith(PutObjectCommand, { Key: KEY, IfMatch: etag });
    expect((await store().get('skin-dev'))?.expiresAt).toBe(later);

    now = T0 + 2 * 60 * 60_000;
    await store().acquire(entry('skin-dev-1-4-0-bbbb', '1.4.0'));
    await expect(store().renew('skin-dev', mine.rolloutId, later)).resolves.toBe(false);
    expect((await store().get('skin-dev'))?.rolloutId).toBe('skin-dev-1-4-0-bbbb');
  });

  it('clear removes whatever lock there is and returns it; get reads it', async () => {
    const mine = entry('skin-dev-1-3-0-aaaa', '1.3.0');
    await store().acquire(mine);
    await expect(store().get('skin-dev')).resolves.toEqual(mine);
    await expect(store().clear('skin-dev')).resolves.toEqual(mine);
    await expect(store().get('skin-dev')).resolves.toBeNull();
    await expect(store().clear('skin-dev')).resolves.toBeNull();
    expect(s3Mock).toHaveReceivedCommandWith(GetObjectCommand, { Bucket: BUCKET, Key: KEY });
  });
});
