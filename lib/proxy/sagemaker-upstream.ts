import { InvokeEndpointCommand, ModelError, type SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { describeError } from '../errors.js';
import type { UpstreamAnswer } from './answer.js';
import { UpstreamError, UpstreamTimeoutError } from './errors.js';
import { deadline, type Upstream } from './upstream.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A SageMaker real-time endpoint, through InvokeEndpoint. */
export class SageMakerUpstream implements Upstream {
  readonly label: string;

  constructor(
    private readonly client: SageMakerRuntimeClient,
    private readonly endpointName: string,
    /** ms */
    private readonly timeoutMs: number,
  ) {
    this.label = `sagemaker:${endpointName}`;
  }

  async predict(body: string): Promise<UpstreamAnswer> {
    const { signal, expired, clear } = deadline(this.timeoutMs);
    try {
      const command = new InvokeEndpointCommand({
        EndpointName: this.endpointName,
        ContentType: 'application/json',
        Accept: 'application/json',
        Body: encoder.encode(body),
      });
      // Raced as well: the SDK's retries must not stretch the bound either.
      const out = await Promise.race([this.client.send(command, { abortSignal: signal }), expired]);
      return {
        status: 200,
        contentType: out.ContentType ?? 'application/json',
        body: out.Body ? decoder.decode(out.Body) : '',
      };
    } catch (err) {
      if (signal.aborted) throw new UpstreamTimeoutError(this.timeoutMs, { cause: err });
      // The model container judged the input: its 4xx goes back to the client as it was.
      if (err instanceof ModelError && err.OriginalStatusCode && err.OriginalStatusCode >= 400 && err.OriginalStatusCode < 500) {
        return { status: err.OriginalStatusCode, contentType: 'application/json', body: err.OriginalMessage ?? '' };
      }
      const status = err instanceof ModelError ? (err.OriginalStatusCode ?? null) : null;
      throw new UpstreamError(`SageMaker endpoint ${this.endpointName} failed: ${describeError(err)}`, status, {
        cause: err,
      });
    } finally {
      clear();
    }
  }
}
