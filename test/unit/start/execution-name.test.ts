import { boundedName, executionArnOf, executionName, MAX_NAME, objectHash, sanitize } from '../../../lib/start/execution-name.js';
import { executionInputSchema } from '../../../lib/rollout/state.js';
import { eventFixture } from './lambda-context.js';

const upload = {
  bucket: 'ml-rollout-prod-bundles',
  key: 'bundles/skin-similarity-1.3.0.zip',
  versionId: '3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY',
};
/** What Step Functions accepts as a name, narrowed to what a rollout id may be. */
const ROLLOUT_ID = /^[A-Za-z0-9_-]{1,80}$/;

describe('executionName', () => {
  it('names an upload by environment, version and a hash of the object version', () => {
    const name = executionName(upload, { environment: 'skin-prod', version: '1.3.0+build.7' });
    expect(name).toMatch(/^skin-prod-1-3-0-build-7-[0-9a-f]{16}$/);
    expect(name).toMatch(ROLLOUT_ID);
  });

  it('gives a duplicate delivery of the same upload the same name, and a new upload another', () => {
    const m = { environment: 'skin-prod', version: '1.3.0' };
    expect(executionName({ ...upload }, m)).toBe(executionName(upload, m));
    expect(executionName({ ...upload, versionId: 'another-version' }, m)).not.toBe(executionName(upload, m));
    expect(executionName({ ...upload, key: 'bundles/other.zip' }, m)).not.toBe(executionName(upload, m));
  });

  it('uses the ETag (quoted or not) when the bucket has no versions', () => {
    const a = { bucket: 'b', key: 'bundles/a.zip', etag: '"9b2cf535f27731c974343645a3985328"' };
    expect(objectHash(a)).toBe(objectHash({ ...a, etag: '9b2cf535f27731c974343645a3985328' }));
    expect(() => objectHash({ bucket: 'b', key: 'k' })).toThrow(/neither a version id nor an ETag/);
  });

  it('stays within 80 characters however long the environment and version are', () => {
    const name = executionName(upload, { environment: 'e'.repeat(63), version: `1.${'9'.repeat(60)}` });
    expect(name.length).toBeLessThanOrEqual(MAX_NAME);
    expect(name).toMatch(ROLLOUT_ID);
    expect(name.endsWith(objectHash(upload))).toBe(true);
  });

  it('names a bundle whose manifest could not be read after its file', () => {
    expect(executionName({ ...upload, key: 'bundles/My Bundle (v2).zip' }, null)).toMatch(/^unreadable-My-Bundle-v2-[0-9a-f]{16}$/);
  });

  it('matches the input of `sls invoke stepf --path test/fixtures/events/rollout-input.json`', () => {
    expect(executionInputSchema.safeParse(eventFixture('rollout-input')).success).toBe(true);
  });

  it('is accepted as the rollout id of the execution input', () => {
    const rolloutId = executionName(upload, { environment: 'skin-prod', version: '1.3.0' });
    expect(
      executionInputSchema.safeParse({ rolloutId, bundle: { bucket: upload.bucket, key: upload.key, versionId: upload.versionId } })
        .success,
    ).toBe(true);
  });
});

describe('helpers', () => {
  it('sanitize keeps letters, digits, _ and -', () => {
    expect(sanitize(' a.b/c:d__e--f ')).toBe('a-b-c-d__e-f');
    expect(boundedName(['', '…'], 'abc')).toBe('abc');
  });

  it('executionArnOf turns the state machine ARN into the execution ARN', () => {
    expect(executionArnOf('arn:aws:states:eu-west-1:123456789012:stateMachine:ml-rollout-dev-rollout', 'n1')).toBe(
      'arn:aws:states:eu-west-1:123456789012:execution:ml-rollout-dev-rollout:n1',
    );
  });
});
