import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { createAwsRuntime, LAMBDA_HOME } from '../../../lib/aws/runtime.js';
import { ErrorName } from '../../../lib/errors.js';
import { buildMessage } from '../../../lib/notify/message.js';
import { resetRuntime } from '../../../lib/runtime.js';
import { runtime } from '../../../functions/runtime.js';
import { S3LockStore } from '../../../lib/state/s3-lock.js';
import { S3StateStore } from '../../../lib/state/s3-store.js';

const s3Mock = mockClient(S3Client);
const snsMock = mockClient(SNSClient);
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:ml-rollout-test-rollouts';

beforeEach(() => {
  s3Mock.reset();
  snsMock.reset();
  s3Mock.on(PutObjectCommand).resolves({ ETag: '"e"' });
  snsMock.on(PublishCommand).resolves({ MessageId: 'm' });
});

const deps = () => ({ s3: new S3Client({ region: 'eu-west-1' }), sns: new SNSClient({ region: 'eu-west-1' }) });

describe('createAwsRuntime', () => {
  it('keeps state and lock in $STATE_BUCKET under $STATE_PREFIX and publishes to $TOPIC_ARN', async () => {
    const rt = createAwsRuntime({ STATE_BUCKET: 'ml-rollout-test-bundles', STATE_PREFIX: 'state/', TOPIC_ARN: TOPIC }, deps());
    expect(rt.state).toBeInstanceOf(S3StateStore);
    expect(rt.locks).toBeInstanceOf(S3LockStore);
    expect(rt.home).toBe(LAMBDA_HOME);

    await rt.state.putKnownGood({
      environment: 'skin-dev',
      current: { name: 'n', version: '1', digest: 'd', source: { kind: 'dir', path: '/x' }, settings: {} },
      previous: [],
      recordedAt: '2025-03-14T09:00:00.000Z',
    });
    expect(s3Mock).toHaveReceivedCommandWith(PutObjectCommand, {
      Bucket: 'ml-rollout-test-bundles',
      Key: 'state/skin-dev/known-good.json',
    });

    await rt.notifier.publish(
      buildMessage({
        outcome: 'succeeded',
        rolloutId: 'r',
        environment: 'skin-dev',
        name: 'n',
        version: '1',
        previousVersion: null,
        phase: null,
        reason: null,
        rollback: null,
        startedAt: null,
        finishedAt: '2025-03-14T09:00:00.000Z',
        durationMs: null,
      }),
    );
    expect(snsMock).toHaveReceivedCommandWith(PublishCommand, { TopicArn: TOPIC });
  });

  it('needs STATE_BUCKET: a ConfigurationError naming it', () => {
    expect(() => createAwsRuntime({}, deps())).toThrow(
      expect.objectContaining({ name: ErrorName.Configuration, message: expect.stringContaining('STATE_BUCKET') }),
    );
  });

  it('holds locks as the execution (the rollout id), not as the Lambda container', () => {
    const rt = createAwsRuntime({ STATE_BUCKET: 'ml-rollout-test-bundles' }, deps());
    expect(rt.lockOwner('skin-dev-1-3-0-aaaa')).toBe('execution:skin-dev-1-3-0-aaaa');
  });
});

describe('runtime()', () => {
  const saved = process.env.STATE_BUCKET;
  afterEach(() => {
    if (saved === undefined) delete process.env.STATE_BUCKET;
    else process.env.STATE_BUCKET = saved;
    resetRuntime();
  });

  it('is the AWS runtime where STATE_BUCKET is set (Lambda), the local one otherwise', () => {
    process.env.STATE_BUCKET = 'ml-rollout-test-bundles';
    resetRuntime();
    expect(runtime().state).toBeInstanceOf(S3StateStore);

    delete process.env.STATE_BUCKET;
    resetRuntime();
    expect(runtime().state).not.toBeInstanceOf(S3StateStore);
  });
});
