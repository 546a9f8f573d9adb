import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ExecutionAlreadyExists, SFNClient, SFNServiceException, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { startRollout, StartStatus, type StartDeps } from '../../../lib/start/start.js';
import { FakeBucket } from '../state/fake-s3.js';
import { bundle, makeZip } from './zip.js';

const BUCKET = 'ml-rollout-test-bundles';
const MACHINE = 'arn:aws:states:eu-west-1:123456789012:stateMachine:ml-rollout-test-rollout';
const s3Mock = mockClient(S3Client);
const sfnMock = mockClient(SFNClient);
let bucket: FakeBucket;

const deps = (): StartDeps => ({
  s3: new S3Client({ region: 'eu-west-1' }),
  sfn: new SFNClient({ region: 'eu-west-1' }),
  stateMachineArn: MACHINE,
});

/** Step Functions' naming rule: a name is taken once an execution has it (input aside, for a closed one). */
function stepFunctions() {
  const names = new Map<string, string>();
  sfnMock.on(StartExecutionCommand).callsFake(async (input: { name: string; input: string }) => {
    if (names.has(input.name)) {
      throw new ExecutionAlreadyExists({ $metadata: { httpStatusCode: 400 }, message: `Execution Already Exists: '${input.name}'` });
    }
    names.set(input.name, input.input);
    return { executionArn: `${MACHINE.replace(':stateMachine:', ':execution:')}:${input.name}`, startDate: new Date(0) };
  });
  return names;
}

/** The S3 event's view of an object that is in the fake bucket. */
function uploaded(key: string) {
  const o = bucket.objects.get(key);
  if (!o) throw new Error(`no ${key}`);
  return { bucket: BUCKET, key, versionId: o.versionId, etag: o.etag.replace(/"/g, ''), size: o.body.length };
}

beforeEach(() => {
  s3Mock.reset();
  sfnMock.reset();
  bucket = new FakeBucket(BUCKET);
  bucket.install(s3Mock);
});

describe('startRollout', () => {
  it('starts one execution named after environment, version and object version, with the pinned bundle as input', async () => {
    const names = stepFunctions();
    bucket.store('bundles/skin-1.3.0.zip', await bundle('skin-dev', '1.3.0'));
    const upload = uploaded('bundles/skin-1.3.0.zip');

    const result = await startRollout(deps(), upload);

    expect(result.status).toBe(StartStatus.Started);
    expect(result.executionName).toMatch(/^skin-dev-1-3-0-[0-9a-f]{16}$/);
    expect(result).toMatchObject({ environment: 'skin-dev', version: '1.3.0' });
    expect(result.executionArn).toBe(`arn:aws:states:eu-west-1:123456789012:execution:ml-rollout-test-rollout:${result.executionName}`);
    expect(JSON.parse(names.get(result.executionName) ?? 'null')).toEqual({
      rolloutId: result.executionName,
      bundle: { bucket: BUCKET, key: upload.key, versionId: upload.versionId },
    });
    // The version is pinned, and checked with HeadObject.
    expect(s3Mock).toHaveReceivedCommandWith(HeadObjectCommand, { Bucket: BUCKET, Key: upload.key, VersionId: upload.versionId });
  });

  it('starts S3’s duplicate delivery of one upload once: the second is reported as already started', async () => {
    const names = stepFunctions();
    bucket.store('bundles/skin-1.3.0.zip', await bundle('skin-dev', '1.3.0'));
    const upload = uploaded('bundles/skin-1.3.0.zip');

    const first = await startRollout(deps(), upload);
    const second = await startRollout(deps(), { ...upload });

    expect(first.status).toBe(StartStatus.Started);
    expect(second.status).toBe(StartStatus.AlreadyStarted);
    expect(second.executionName).toBe(first.executionName);
    expect(second.executionArn).toBe(first.executionArn);
    expect(names.size).toBe(1);
    expect(sfnMock).toHaveReceivedCommandTimes(StartExecutionCommand, 2);
    const inputs = sfnMock.commandCalls(StartExecutionCommand).map((c) => c.args[0].input.input);
    expect(inputs[0]).toBe(inputs[1]);
  });

  it('starts the same bundle uploaded again (a new object version) as a new execution', async () => {
    const names = stepFunctions();
    const zip = await bundle('skin-dev', '1.3.0');
    bucket.store('bundles/skin.zip', zip);
    const first = await startRollout(deps(), uploaded('bundles/skin.zip'));
    bucket.store('bundles/skin.zip', zip);
    const second = await startRollout(deps(), uploaded('bundles/skin.zip'));
    expect(second.status).toBe(StartStatus.Started);
    expect(second.executionName).not.toBe(first.executionName);
    expect(names.size).toBe(2);
  });

  it('pins a direct invoke ({bucket, key}) to the current version with HeadObject', async () => {
    const names = stepFunctions();
    bucket.store('bundles/skin.zip', await bundle('skin-dev', '1.2.0'));
    const current = bucket.store('bundles/skin.zip', await bundle('skin-dev', '1.3.0'));

    const result = await startRollout(deps(), { bucket: BUCKET, key: 'bundles/skin.zip' });

    expect(s3Mock).toHaveReceivedCommandWith(HeadObjectCommand, { Bucket: BUCKET, Key: 'bundles/skin.zip' });
    expect(result.version).toBe('1.3.0');
    expect(JSON.parse(names.get(result.executionName) ?? 'null').bundle.versionId).toBe(current.versionId);
  });

  it('still starts a bundle whose manifest is unreadable, so that ValidateBundle rejects it and the team hears of it', async () => {
    stepFunctions();
    bucket.store('bundles/broken.zip', await makeZip({ Procfile: 'web: x\n', 'rollout.yaml': 'name: Not A Slug\nversion: 1\n' }));
    bucket.store('bundles/empty.zip', await makeZip({ Procfile: 'web: x\n' }));

    const broken = await startRollout(deps(), uploaded('bundles/broken.zip'));
    const empty = await startRollout(deps(), uploaded('bundles/empty.zip'));

    expect(broken).toMatchObject({ status: StartStatus.Started, environment: null, version: null });
    expect(broken.executionName).toMatch(/^unreadable-broken-[0-9a-f]{16}$/);
    expect(broken.manifestProblem).toMatch(/^rollout\.yaml: /);
    expect(empty.manifestProblem).toBe('no rollout.yaml at the root of the zip');
  });

  it('fails by name when the uploaded version is gone, and trusts HeadObject over the event for the size', async () => {
    stepFunctions();
    bucket.store('bundles/skin.zip', await bundle('skin-dev', '1.3.0'));
    const upload = uploaded('bundles/skin.zip');
    await expect(startRollout(deps(), { ...upload, versionId: 'v-deleted' })).rejects.toMatchObject({ name: 'NoSuchKey' });
    await expect(startRollout(deps(), { ...upload, size: 1024 })).resolves.toMatchObject({ status: StartStatus.Started, version: '1.3.0' });
  });

  it('lets other Step Functions errors through, for Lambda to retry the S3 event', async () => {
    sfnMock.on(StartExecutionCommand).rejects(
      new SFNServiceException({
        name: 'ThrottlingException',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
        message: 'slow down',
      }),
    );
    bucket.store('bundles/skin.zip', await bundle('skin-dev', '1.3.0'));
    await expect(startRollout(deps(), uploaded('bundles/skin.zip'))).rejects.toMatchObject({ name: 'ThrottlingException' });
  });
});
