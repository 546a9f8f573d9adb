import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { jest } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { handler, setInferenceProxyDeps } from '../../../functions/inference-proxy.js';
import { defaultServingLookup, lambdaDeps } from '../../../lib/proxy/lambda.js';
import { LocalStateStore } from '../../../lib/state/local-store.js';
import { S3StateStore } from '../../../lib/state/s3-store.js';
import { eventFixture, lambdaContext, serving } from './support.js';

describe('the Lambda entry point', () => {
  const ssm = mockClient(SSMClient);
  const s3 = mockClient(S3Client);
  let stdout: ReturnType<typeof spyStdout>;
  const spyStdout = () => jest.spyOn(process.stdout, 'write').mockImplementation(() => true);

  beforeEach(() => {
    stdout = spyStdout();
  });
  afterEach(() => {
    stdout.mockRestore();
    ssm.reset();
    s3.reset();
    setInferenceProxyDeps(null);
  });
  afterAll(() => {
    ssm.restore();
    s3.restore();
  });

  it('checks the key against SSM, reads the serving record from S3 and publishes EMF metrics', async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: 'other-key,test-key-1' } });
    s3.on(GetObjectCommand, { Bucket: 'state-bucket', Key: 'state/skin-dev/serving.json' }).resolves({
      Body: { transformToString: async () => JSON.stringify(serving('skin-dev', '3.0.0', 'http://127.0.0.1:9')) } as never,
    });
    const env = {
      STATE_BUCKET: 'state-bucket',
      PROXY_API_KEYS_PARAMETER: '/ml-rollout/dev/proxy/api-keys',
      // Nothing listens on port 9: the forward fails fast, which is all this test needs.
      PROXY_UPSTREAM_TIMEOUT_MS: '2000',
    };
    setInferenceProxyDeps(() => lambdaDeps(env));
    const res = (await handler(eventFixture('predict'), lambdaContext())) as APIGatewayProxyStructuredResultV2;
    expect(res.statusCode).toBe(502);
    expect(JSON.parse(res.body ?? '{}')).toMatchObject({ error: 'upstream_error' });
    expect(ssm).toHaveReceivedCommandWith(GetParameterCommand, { Name: '/ml-rollout/dev/proxy/api-keys', WithDecryption: true });
    const emf = stdout.mock.calls.map(([chunk]) => String(chunk)).filter((line) => line.includes('"_aws"'));
    expect(emf.join('\n')).toContain('"CacheMiss"');
    expect(emf.join('\n')).toContain('"UpstreamError"');

    const denied = (await handler(eventFixture('wrong-api-key'), lambdaContext())) as APIGatewayProxyStructuredResultV2;
    expect(denied.statusCode).toBe(403);
    expect(ssm).toHaveReceivedCommandTimes(GetParameterCommand, 1);
  });

  it('turns the per-invocation debug sampling on only with a sample rate', async () => {
    const lookup = { getServing: async () => null };
    expect((await lambdaDeps({}, { serving: lookup })).logDebugSampling).toBe(false);
    expect((await lambdaDeps({ POWERTOOLS_LOGGER_SAMPLE_RATE: '0' }, { serving: lookup })).logDebugSampling).toBe(false);
    expect((await lambdaDeps({ POWERTOOLS_LOGGER_SAMPLE_RATE: '0.1' }, { serving: lookup })).logDebugSampling).toBe(true);
  });

  it('builds its dependencies again after a failed cold start', async () => {
    let attempts = 0;
    setInferenceProxyDeps(async () => {
      attempts++;
      throw new Error('PROXY_CACHE_TTL_SECONDS is wrong');
    });
    await expect(handler(eventFixture('predict'), lambdaContext())).rejects.toThrow('PROXY_CACHE_TTL_SECONDS');
    await expect(handler(eventFixture('predict'), lambdaContext())).rejects.toThrow('PROXY_CACHE_TTL_SECONDS');
    expect(attempts).toBe(2);
  });
});

describe('defaultServingLookup', () => {
  it('reads S3 when STATE_BUCKET is set, else the files under ML_ROLLOUT_HOME', async () => {
    expect(await defaultServingLookup({ STATE_BUCKET: 'b' })).toBeInstanceOf(S3StateStore);
    const home = await mkdtemp(join(tmpdir(), 'proxy-lambda-'));
    try {
      const lookup = await defaultServingLookup({ ML_ROLLOUT_HOME: home });
      expect(lookup).toBeInstanceOf(LocalStateStore);
      await new LocalStateStore(home).putServing(serving('skin-dev', '1.0.0', 'http://127.0.0.1:1'));
      expect(await lookup.getServing('skin-dev')).toMatchObject({ version: '1.0.0' });
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});
