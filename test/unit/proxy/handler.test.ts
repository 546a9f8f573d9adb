import { Logger } from '@aws-lambda-powertools/logger';
import { jest } from '@jest/globals';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createInferenceProxyHandler } from '../../../functions/inference-proxy.js';
import { staticKeys } from '../../../lib/proxy/auth.js';
import { buildProxy } from '../../../lib/proxy/build.js';
import { proxyConfigFromEnv } from '../../../lib/proxy/config.js';
import { MemoryStore } from '../../../lib/proxy/memory-store.js';
import { CountingMetrics } from '../../../lib/proxy/metrics.js';
import { eventFixture, lambdaContext, recordingLogger, serving } from './support.js';

function setup(env: NodeJS.ProcessEnv = {}, log: { logger?: Logger; logDebugSampling?: boolean } = {}) {
  const calls: string[] = [];
  const fetchFn = (async (_url: string, init: RequestInit) => {
    calls.push(String(init.body));
    return new Response('{"label":"eczema"}', { status: 200, headers: { 'content-type': 'application/json' } });
  }) as unknown as typeof fetch;
  const config = proxyConfigFromEnv(env);
  const parts = buildProxy({
    config,
    serving: { getServing: async (name) => (name === 'skin-dev' ? serving('skin-dev', '2.0.0', 'http://127.0.0.1:9100') : null) },
    keys: staticKeys('test-key-1'),
    store: new MemoryStore(100),
    metrics: new CountingMetrics(),
    logger: recordingLogger(),
    fetchFn,
  });
  const logger = log.logger ?? new Logger({ serviceName: 'inference-proxy-test', logLevel: 'SILENT' });
  const handler = createInferenceProxyHandler({
    ...parts,
    maxBodyBytes: config.maxBodyBytes,
    logger,
    logDebugSampling: log.logDebugSampling,
  });
  const invoke = async (name: string) => (await handler(eventFixture(name), lambdaContext())) as APIGatewayProxyStructuredResultV2;
  return { handler, invoke, calls };
}

const errorOf = (r: APIGatewayProxyStructuredResultV2) => JSON.parse(r.body ?? '{}') as { error: string; message: string };

describe('inference-proxy handler', () => {
  it('answers a prediction and marks it miss, then hit', async () => {
    const { invoke, calls } = setup();
    const miss = await invoke('predict');
    expect(miss).toEqual({
      statusCode: 200,
      headers: { 'content-type': 'application/json', 'x-cache': 'miss' },
      body: '{"label":"eczema"}',
    });
    expect(calls).toEqual(['{"embedding":[0.12,-0.5,0.33],"top_k":5}']);
    expect((await invoke('predict')).headers).toMatchObject({ 'x-cache': 'hit' });
    expect(calls).toHaveLength(1);
  });

  it('decodes a base64 body: the same JSON in another key order is the same request', async () => {
    const { invoke, calls } = setup();
    await invoke('predict');
    expect((await invoke('predict-base64')).headers).toMatchObject({ 'x-cache': 'hit' });
    expect(calls).toHaveLength(1);
  });

  it('bypasses the cache on Cache-Control: no-cache', async () => {
    const { invoke, calls } = setup();
    await invoke('predict');
    expect((await invoke('predict-no-cache')).headers).toMatchObject({ 'x-cache': 'bypass' });
    expect(calls).toHaveLength(2);
  });

  it.each([
    ['not-json', 400, 'invalid_json', /not JSON/],
    ['no-body', 400, 'invalid_json', /empty/],
    ['unknown-environment', 404, 'unknown_environment', /unknown environment "nowhere"/],
    ['bad-environment-name', 400, 'invalid_request', /not an environment name/],
    ['no-api-key', 401, 'unauthorized', /x-api-key/],
    ['wrong-api-key', 403, 'forbidden', /not valid/],
    ['get-method', 405, 'method_not_allowed', /POST/],
  ])('refuses %s with %i and a JSON error, forwarding nothing', async (fixture, status, code, message) => {
    const { invoke, calls } = setup();
    const res = await invoke(fixture);
    expect(res.statusCode).toBe(status);
    expect(res.headers).toMatchObject({ 'content-type': 'application/json' });
    expect(errorOf(res).error).toBe(code);
    expect(errorOf(res).message).toMatch(message);
    expect(calls).toHaveLength(0);
  });

  it('refuses a body over the size limit with 413, forwarding nothing', async () => {
    const { invoke, calls } = setup({ PROXY_MAX_BODY_BYTES: '1024' });
    const res = await invoke('too-large');
    expect(res.statusCode).toBe(413);
    expect(errorOf(res)).toEqual({ error: 'payload_too_large', message: 'the request body is larger than 1024 bytes' });
    expect(calls).toHaveLength(0);
  });

  it('refuses an event that is not an HTTP API payload 2.0 event', async () => {
    const { handler, calls } = setup();
    const v1 = eventFixture('predict', (e) => void Object.assign(e, { version: '1.0' }));
    const res = (await handler(v1, lambdaContext())) as APIGatewayProxyStructuredResultV2;
    expect(res.statusCode).toBe(400);
    expect(errorOf(res).message).toMatch(/payload format 2.0/);
    expect(calls).toHaveLength(0);
  });

  describe('logs', () => {
    let stdout: string[];
    let spy: { mockRestore(): void };
    beforeEach(() => {
      stdout = [];
      spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
        stdout.push(String(chunk));
        return true;
      });
    });
    afterEach(() => spy.mockRestore());

    it('carry the Lambda context of the invocation (Powertools Logger)', async () => {
      const logger = new Logger({ serviceName: 'inference-proxy-test', logLevel: 'INFO' });
      const { handler } = setup({}, { logger });
      await handler(eventFixture('predict'), { ...lambdaContext(), awsRequestId: 'request-1' });
      logger.info('during the first');
      await handler(eventFixture('predict'), { ...lambdaContext(), awsRequestId: 'request-2' });
      logger.info('during the second');
      const lines = stdout.map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines).toEqual([
        expect.objectContaining({ message: 'during the first', function_request_id: 'request-1', function_name: 'inference-proxy-test' }),
        expect.objectContaining({ message: 'during the second', function_request_id: 'request-2' }),
      ]);
    });

    it('include the event when POWERTOOLS_LOGGER_LOG_EVENT asks for it', async () => {
      process.env.POWERTOOLS_LOGGER_LOG_EVENT = 'true';
      let logger: Logger;
      try {
        logger = new Logger({ serviceName: 'inference-proxy-test', logLevel: 'INFO' });
      } finally {
        delete process.env.POWERTOOLS_LOGGER_LOG_EVENT;
      }
      const { handler } = setup({}, { logger });
      await handler(eventFixture('predict'), lambdaContext());
      expect(stdout.join('')).toContain('Lambda invocation event');
    });

    it('draw the debug sampling again on each invocation only when a sample rate is set', async () => {
      for (const sampling of [false, true]) {
        const logger = new Logger({ serviceName: 'inference-proxy-test', logLevel: 'SILENT' });
        const refresh = jest.spyOn(logger, 'refreshSampleRateCalculation');
        const { invoke } = setup({}, { logger, logDebugSampling: sampling });
        await invoke('predict');
        await invoke('predict');
        expect(refresh).toHaveBeenCalledTimes(sampling ? 2 : 0);
      }
    });
  });
});
