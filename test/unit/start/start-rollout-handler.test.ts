import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { ErrorName } from '../../../lib/errors.js';
import type { StartResult } from '../../../lib/start/start.js';
import { FakeBucket } from '../state/fake-s3.js';
import { eventFixture, lambdaContext } from './lambda-context.js';
import { bundle } from './zip.js';

type Handler = (event: unknown, context: unknown) => Promise<{ executions: StartResult[] }>;
type S3Event = { Records: { s3: { bucket: { name: string }; object: { key: string; size: number; eTag: string; versionId: string } } }[] };

const MACHINE = 'arn:aws:states:eu-west-1:123456789012:stateMachine:ml-rollout-dev-rollout';
const s3Mock = mockClient(S3Client);
const sfnMock = mockClient(SFNClient);
let handler: Handler;
let bucket: FakeBucket;

beforeAll(async () => {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  process.env.AWS_REGION = 'eu-west-1';
  process.env.ROLLOUT_STATE_MACHINE_ARN = MACHINE;
  ({ handler } = (await import('../../../functions/start-rollout.js')) as unknown as { handler: Handler });
});

beforeEach(() => {
  s3Mock.reset();
  sfnMock.reset();
  sfnMock
    .on(StartExecutionCommand)
    .callsFake(async (input: { name: string }) => ({ executionArn: `${MACHINE.replace(':stateMachine:', ':execution:')}:${input.name}` }));
});

/** The S3 event fixture, pointing at a bundle stored in the fake bucket. */
async function s3EventFor(environment: string, version: string): Promise<S3Event> {
  const event = eventFixture<S3Event>('s3-object-created');
  const { s3 } = event.Records[0]!;
  bucket = new FakeBucket(s3.bucket.name);
  bucket.install(s3Mock);
  const stored = bucket.store(s3.object.key, await bundle(environment, version));
  Object.assign(s3.object, { size: stored.body.length, eTag: stored.etag.replace(/"/g, ''), versionId: stored.versionId });
  return event;
}

describe('startRollout handler', () => {
  it('starts a rollout from the S3 ObjectCreated event fixture', async () => {
    const event = await s3EventFor('skin-dev', '1.2.0');
    const { executions } = await handler(event, lambdaContext('ml-rollout-dev-startRollout'));
    expect(executions).toHaveLength(1);
    expect(executions[0]).toMatchObject({ status: 'started', environment: 'skin-dev', version: '1.2.0' });
    expect(sfnMock).toHaveReceivedCommandWith(StartExecutionCommand, { stateMachineArn: MACHINE, name: executions[0]?.executionName });
  });

  it('decodes the URL-encoded key of an S3 event', async () => {
    const event = await s3EventFor('skin-dev', '1.2.0');
    const record = event.Records[0]!;
    const stored = bucket.objects.get(record.s3.object.key)!;
    bucket.objects.set('bundles/skin similarity+1.2.0.zip', stored);
    record.s3.object.key = 'bundles/skin+similarity%2B1.2.0.zip';
    const { executions } = await handler(event, lambdaContext('ml-rollout-dev-startRollout'));
    expect(executions[0]?.input.bundle.key).toBe('bundles/skin similarity+1.2.0.zip');
  });

  it('starts a rollout from the direct-invoke fixture ({bucket, key})', async () => {
    await s3EventFor('skin-dev', '1.2.0');
    const { executions } = await handler(eventFixture('start-rollout'), lambdaContext('ml-rollout-dev-startRollout'));
    expect(executions[0]).toMatchObject({ status: 'started', environment: 'skin-dev', version: '1.2.0' });
  });

  it('rejects an event it does not understand as InvalidEvent, naming what it expected', async () => {
    await expect(handler({ bucket: 'b', key: 'k', extra: 1 }, lambdaContext('ml-rollout-dev-startRollout'))).rejects.toThrow(
      expect.objectContaining({
        name: ErrorName.InvalidEvent,
        message: expect.stringMatching(/^expected an S3 ObjectCreated event or \{"bucket","key"/),
      }),
    );
    expect(sfnMock).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  it('rejects an S3 event that is not ObjectCreated, naming the field', async () => {
    const event = await s3EventFor('skin-dev', '1.2.0');
    (event.Records[0] as unknown as { eventName: string }).eventName = 'ObjectRemoved:Delete';
    await expect(handler(event, lambdaContext('ml-rollout-dev-startRollout'))).rejects.toThrow(
      expect.objectContaining({ name: ErrorName.InvalidEvent, message: expect.stringContaining('Records.0.eventName') }),
    );
  });

  it('starts a rollout for an upload that came over IPv6 (S3 dual-stack endpoint)', async () => {
    const event = await s3EventFor('skin-dev', '1.2.0');
    (event.Records[0] as unknown as { requestParameters: { sourceIPAddress: string } }).requestParameters.sourceIPAddress = '2001:db8::10';
    const { executions } = await handler(event, lambdaContext('ml-rollout-dev-startRollout'));
    expect(executions[0]).toMatchObject({ status: 'started', environment: 'skin-dev' });
  });
});
