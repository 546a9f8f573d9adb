import { InvokeEndpointCommand, ModelError, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { mockClient } from 'aws-sdk-client-mock';
import { UpstreamError, UpstreamTimeoutError } from '../../../lib/proxy/errors.js';
import { SageMakerUpstream } from '../../../lib/proxy/sagemaker-upstream.js';

describe('SageMakerUpstream', () => {
  const sm = mockClient(SageMakerRuntimeClient);
  afterEach(() => sm.reset());
  afterAll(() => sm.restore());

  const upstream = () => new SageMakerUpstream(new SageMakerRuntimeClient({ region: 'eu-central-1' }), 'skin-prod', 200);

  it('invokes the endpoint with the JSON body and returns its answer', async () => {
    sm.on(InvokeEndpointCommand).resolves({
      ContentType: 'application/json',
      Body: new TextEncoder().encode('{"label":"eczema"}') as never,
    });
    await expect(upstream().predict('{"embedding":[1]}')).resolves.toEqual({
      status: 200,
      contentType: 'application/json',
      body: '{"label":"eczema"}',
    });
    const input = sm.commandCalls(InvokeEndpointCommand)[0]?.args[0].input;
    expect(input?.EndpointName).toBe('skin-prod');
    expect(input?.ContentType).toBe('application/json');
    expect(new TextDecoder().decode(input?.Body as Uint8Array)).toBe('{"embedding":[1]}');
  });

  it("passes the model's 4xx through, as the model's judgement of the input", async () => {
    sm.on(InvokeEndpointCommand).rejects(
      new ModelError({ $metadata: {}, message: 'bad input', OriginalStatusCode: 400, OriginalMessage: '{"error":"embedding"}' }),
    );
    await expect(upstream().predict('{}')).resolves.toEqual({
      status: 400,
      contentType: 'application/json',
      body: '{"error":"embedding"}',
    });
  });

  it('turns a model 5xx or a service error into UpstreamError', async () => {
    sm.on(InvokeEndpointCommand).rejects(new ModelError({ $metadata: {}, message: 'boom', OriginalStatusCode: 500 }));
    const err = await upstream()
      .predict('{}')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamError);
    expect((err as UpstreamError).upstreamStatus).toBe(500);
    expect((err as UpstreamError).status).toBe(502);
    sm.on(InvokeEndpointCommand).rejects(Object.assign(new Error('Endpoint skin-prod not found'), { name: 'ValidationError' }));
    await expect(upstream().predict('{}')).rejects.toThrow(/skin-prod.*not found/);
  });

  it('gives up after its timeout with UpstreamTimeoutError', async () => {
    // Never answers: only the proxy's deadline can end the call.
    sm.on(InvokeEndpointCommand).callsFake(() => new Promise(() => undefined));
    const err = await upstream()
      .predict('{}')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamTimeoutError);
    expect((err as UpstreamTimeoutError).status).toBe(504);
    expect((err as UpstreamTimeoutError).message).toContain('200 ms');
  });
});
