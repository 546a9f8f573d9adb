import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SendTaskFailureCommand, SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { createAwsRuntime } from '../../../lib/aws/runtime.js';
import { ErrorName } from '../../../lib/errors.js';
import { resetRuntime, setRuntime } from '../../../lib/runtime.js';
import { eventFixture, lambdaContext } from '../start/lambda-context.js';

/**
 * The approve and abort functions and the pause's callback task on the AWS runtime: state in S3
 * (an in-memory bucket behind aws-sdk-client-mock), the pause ended with SendTaskSuccess /
 * SendTaskFailure and the token the pause stored.
 */
type Handler = (event: unknown, context: unknown) => Promise<Record<string, unknown>>;
const s3Mock = mockClient(S3Client);
const sfnMock = mockClient(SFNClient);
const snsMock = mockClient(SNSClient);
const BUCKET = 'ml-rollout-test-bundles';
const ENV = 'skin-dev';
const ID = 'skin-dev-1-3-0-aaaa';
const TOKEN = 'AQCEAAAAKgAAAAMAAAAAAAAAAf-aws-task-token';
const key = (name: string) => `state/${ENV}/${name}`;
let bucket: Map<string, string>;
const json = (name: string) => {
  const text = bucket.get(key(name));
  return text ? (JSON.parse(text) as Record<string, unknown>) : null;
};
let approve: Handler;
let abort: Handler;
let awaitApproval: Handler;

const record = (status = 'running') => ({
  id: ID,
  environment: ENV,
  name: 'skin-similarity',
  version: '1.3.0',
  digest: 'd',
  previousVersion: '1.2.0',
  status,
  phases: [
    { name: 'minimal', status: 'passed', checks: [] },
    { name: 'faiss-scin', status: 'running', checks: [] },
  ],
  rollback: { performed: false, restoredVersion: null, verified: false },
  failure: null,
  startedAt: '2026-03-14T09:00:00.000Z',
  finishedAt: null,
  approval: { phase: 'faiss-scin', since: '2026-03-14T09:05:00.000Z', expiresAt: '2999-01-01T00:00:00.000Z' },
});
const put = (name: string, value: unknown) => bucket.set(key(name), JSON.stringify(value));
const running = (opts: { paused: boolean }) => {
  put('lock.json', {
    environment: ENV,
    rolloutId: ID,
    version: '1.3.0',
    since: '2026-03-14T09:00:00.000Z',
    expiresAt: '2999-01-01T00:00:00.000Z',
    owner: `execution:${ID}`,
  });
  put(`rollouts/${ID}.json`, record());
  if (opts.paused) {
    put('approval.json', {
      environment: ENV,
      rolloutId: ID,
      version: '1.3.0',
      phase: 'faiss-scin',
      phaseIndex: 1,
      token: TOKEN,
      since: '2026-03-14T09:05:00.000Z',
      expiresAt: '2999-01-01T00:00:00.000Z',
      timeoutSeconds: 3600,
    });
  }
};

beforeAll(async () => {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  process.env.AWS_REGION = 'eu-west-1';
  ({ handler: approve } = (await import('../../../functions/approve.js')) as unknown as { handler: Handler });
  ({ handler: abort } = (await import('../../../functions/abort.js')) as unknown as { handler: Handler });
  ({ handler: awaitApproval } = (await import('../../../functions/await-approval.js')) as unknown as { handler: Handler });
});

beforeEach(() => {
  bucket = new Map();
  s3Mock.reset();
  sfnMock.reset();
  snsMock.reset();
  s3Mock.on(GetObjectCommand).callsFake(async (input: { Key: string }) => {
    const text = bucket.get(input.Key);
    if (text === undefined) throw Object.assign(new Error('NoSuchKey'), { name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } });
    return { Body: { transformToString: async () => text }, ETag: '"e"' };
  });
  s3Mock.on(PutObjectCommand).callsFake(async (input: { Key: string; Body: string }) => {
    bucket.set(input.Key, input.Body);
    return { ETag: '"e"' };
  });
  s3Mock.on(DeleteObjectCommand).callsFake(async (input: { Key: string }) => {
    bucket.delete(input.Key);
    return {};
  });
  sfnMock.on(SendTaskSuccessCommand).resolves({});
  sfnMock.on(SendTaskFailureCommand).resolves({});
  snsMock.on(PublishCommand).resolves({ MessageId: 'm' });
  setRuntime(
    createAwsRuntime(
      { STATE_BUCKET: BUCKET, TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:rollouts' },
      { s3: new S3Client({ region: 'eu-west-1' }), sns: new SNSClient({ region: 'eu-west-1' }) },
    ),
  );
});
afterAll(() => resetRuntime());

describe('approve function', () => {
  it('ends the pause with SendTaskSuccess and the stored token, then forgets the token', async () => {
    running({ paused: true });
    const r = await approve(eventFixture('approve'), lambdaContext('ml-rollout-dev-approve'));
    expect(r).toMatchObject({ approved: true, rollout: { rolloutId: ID, phase: 'faiss-scin', by: 'lambda:ml-rollout-dev-approve' } });
    expect(sfnMock).toHaveReceivedCommandTimes(SendTaskSuccessCommand, 1);
    const sent = sfnMock.commandCalls(SendTaskSuccessCommand)[0]!.args[0].input;
    expect(sent.taskToken).toBe(TOKEN);
    expect(JSON.parse(sent.output!)).toMatchObject({ approvedBy: 'lambda:ml-rollout-dev-approve' });
    expect(json('approval.json')).toBeNull();
    expect(json(`rollouts/${ID}.json`)?.approval).toMatchObject({ approvedBy: 'lambda:ml-rollout-dev-approve' });
  });

  it('with no pause: approved false, nothing sent', async () => {
    running({ paused: false });
    expect(await approve(eventFixture('approve'), lambdaContext('approve'))).toEqual({
      approved: false,
      message: `no rollout of ${ENV} waits for approval`,
    });
    expect(sfnMock).not.toHaveReceivedCommand(SendTaskSuccessCommand);
  });

  it('a token Step Functions no longer waits on (the pause timed out): approved false, the token forgotten', async () => {
    running({ paused: true });
    sfnMock.on(SendTaskSuccessCommand).rejects(Object.assign(new Error('Task Timed Out'), { name: 'TaskTimedOut' }));
    expect(await approve(eventFixture('approve'), lambdaContext('approve'))).toMatchObject({ approved: false });
    expect(json('approval.json')).toBeNull();
  });

  it('rejects anything but {"environment": <name>} as InvalidEvent, nothing read or sent', async () => {
    await expect(approve({ environment: 'skin-dev', token: 'x' }, lambdaContext('approve'))).rejects.toThrow(
      expect.objectContaining({ name: ErrorName.InvalidEvent }),
    );
    expect(s3Mock).not.toHaveReceivedCommand(GetObjectCommand);
    expect(sfnMock).not.toHaveReceivedCommand(SendTaskSuccessCommand);
  });
});

describe('abort function', () => {
  it('a paused rollout: SendTaskFailure RolloutAborted with the stored token, who and why in the record', async () => {
    running({ paused: true });
    const r = await abort(eventFixture('abort'), lambdaContext('abort'));
    expect(r).toMatchObject({ aborted: true, rollout: { rolloutId: ID, waiting: true } });
    expect(sfnMock).toHaveReceivedCommandWith(SendTaskFailureCommand, {
      taskToken: TOKEN,
      error: ErrorName.RolloutAborted,
      cause: 'faiss-scin: aborted by ana@laptop: p95 doubled',
    });
    expect(json(`rollouts/${ID}.json`)).toMatchObject({
      failure: { phase: 'faiss-scin', error: ErrorName.RolloutAborted, message: 'faiss-scin: aborted by ana@laptop: p95 doubled' },
      abort: { by: 'ana@laptop', reason: 'p95 doubled' },
    });
    expect(json('abort.json')).toMatchObject({ rolloutId: ID, by: 'ana@laptop', reason: 'p95 doubled' });
    expect(json('approval.json')).toBeNull();
  });

  it('a rollout that is not paused: the flag only (its next check rolls back), nothing sent', async () => {
    running({ paused: false });
    expect(await abort({ environment: ENV }, lambdaContext('ml-rollout-dev-abort'))).toMatchObject({
      aborted: true,
      rollout: { waiting: false },
    });
    expect(json('abort.json')).toMatchObject({ rolloutId: ID, by: 'lambda:ml-rollout-dev-abort', reason: null });
    expect(sfnMock).not.toHaveReceivedCommand(SendTaskFailureCommand);
  });

  it('no rollout running: aborted false, nothing written', async () => {
    expect(await abort({ environment: ENV }, lambdaContext('abort'))).toEqual({
      aborted: false,
      message: `no rollout of ${ENV} is running`,
    });
    expect(s3Mock).not.toHaveReceivedCommand(PutObjectCommand);
  });
});

describe('awaitApproval (the WaitForApproval task)', () => {
  it('keeps the task token in the state store and notifies how to approve or abort with sls invoke', async () => {
    running({ paused: false });
    const plan = {
      environment: ENV,
      name: 'skin-similarity',
      version: '1.3.0',
      phases: [
        { index: 0, name: 'minimal' },
        { index: 1, name: 'faiss-scin', approve: true },
      ],
    };
    const state = {
      rolloutId: ID,
      plan,
      cursor: { index: 1, count: 2 },
      phaseRun: { index: 1, approve: true, approvalTimeoutSeconds: 900 },
    };
    const wait = await awaitApproval({ token: TOKEN, state }, lambdaContext('awaitApproval'));
    expect(wait).toMatchObject({ token: TOKEN, phase: 'faiss-scin', timeoutSeconds: 900 });
    expect(json('approval.json')).toMatchObject({ rolloutId: ID, token: TOKEN, timeoutSeconds: 900 });
    const published = snsMock.commandCalls(PublishCommand)[0]!.args[0].input;
    expect(published.Subject).toBe(`[ml-rollout] ${ENV}: skin-similarity 1.3.0 waits for approval (faiss-scin)`);
    expect(JSON.parse(published.Message!).approval).toMatchObject({
      approveWith: `sls invoke -f approve --data '{"environment":"${ENV}"}'`,
      abortWith: `sls invoke -f abort --data '{"environment":"${ENV}"}'`,
    });
  });

  it('an abort already asked: RolloutAborted at once, no wait stored', async () => {
    running({ paused: false });
    put('abort.json', { environment: ENV, rolloutId: ID, by: 'ana@laptop', reason: null, at: '2026-03-14T09:06:00.000Z' });
    const plan = { environment: ENV, name: 'skin-similarity', version: '1.3.0', phases: [{ index: 0, name: 'minimal', approve: true }] };
    await expect(awaitApproval({ token: TOKEN, state: { rolloutId: ID, plan } }, lambdaContext('awaitApproval'))).rejects.toThrow(
      expect.objectContaining({ name: ErrorName.RolloutAborted, message: 'minimal: aborted by ana@laptop (no reason given)' }),
    );
    expect(json('approval.json')).toBeNull();
  });
});
