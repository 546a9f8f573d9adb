import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { TransientError } from '../../../lib/errors.js';
import type { RecordedAnswers } from '../../../lib/state/answers.js';
import { S3AnswersStore } from '../../../lib/state/answers-s3.js';
import { FakeBucket, s3Error } from './fake-s3.js';

const BUCKET = 'ml-rollout-test-bundles';
const s3Mock = mockClient(S3Client);
let bucket: FakeBucket;
const store = () => new S3AnswersStore(new S3Client({ region: 'eu-west-1' }), { bucket: BUCKET });
const digest = 'ab'.repeat(32);
const answers: RecordedAnswers = {
  environment: 'skin-dev',
  version: '1.2.0',
  digest,
  recordedAt: '2025-03-14T09:00:00.000Z',
  phases: {
    'faiss-scin': [{ key: '{"method":"POST"}', label: 'POST /predict {"embedding":[0.9]}', status: 200, answer: { neighbors: [1, 2] } }],
  },
};

beforeEach(() => {
  s3Mock.reset();
  bucket = new FakeBucket(BUCKET);
  bucket.install(s3Mock);
});

describe('S3AnswersStore', () => {
  it('stores the answers of a release beside its known-good record, one object per digest, and reads them back', async () => {
    await store().put(answers);
    expect([...bucket.objects.keys()]).toEqual([`state/skin-dev/answers/${digest}.json`]);
    expect(await store().get('skin-dev', digest)).toEqual({ answers });
    expect(await store().get('skin-dev', 'cd'.repeat(32))).toBeNull();
  });

  it('an object that is not recorded answers is a problem naming it, not a crash', async () => {
    bucket.store(`state/skin-dev/answers/${digest}.json`, '{"environment":"skin-dev"}');
    const read = await store().get('skin-dev', digest);
    expect(read).toEqual({
      problem: expect.stringContaining(`s3://${BUCKET}/state/skin-dev/answers/${digest}.json is not a recorded-answers file`),
    });
    bucket.store(`state/skin-dev/answers/${digest}.json`, 'garbage');
    expect(await store().get('skin-dev', digest)).toEqual({ problem: expect.stringMatching(/is not JSON/) });
  });

  it('a throttled read is a TransientError for the state machine to retry', async () => {
    s3Mock.on(GetObjectCommand).rejects(s3Error('SlowDown', 503));
    await expect(store().get('skin-dev', digest)).rejects.toBeInstanceOf(TransientError);
  });

  it('refuses a digest that would reach another key', () => {
    expect(() => store().key('skin-dev', '../x')).toThrow(/unsafe S3 key segment/);
  });
});
