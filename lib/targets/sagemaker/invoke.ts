import { InvokeEndpointCommand } from '@aws-sdk/client-sagemaker-runtime';
import type { SmokeRequest } from '../../plan/schema.js';
import type { RequestResult } from '../../gates/sample.js';
import type { SageMakerClients } from './clients.js';

/**
 * One smoke request as an InvokeEndpoint call: its JSON body is the payload (SageMaker has one
 * route, /invocations; the request's path is passed in CustomAttributes for containers that
 * route on it). Never throws: an error is a result with its status (a ModelError carries the
 * container's) or null, so that the gate reports it as a failed check.
 */
export async function invokeSmoke(
  clients: Pick<SageMakerClients, 'runtime'>,
  endpoint: string,
  request: SmokeRequest,
  timeoutMs: number,
): Promise<RequestResult> {
  const label = `${request.method} ${request.path}`;
  const started = performance.now();
  const elapsed = () => Math.round((performance.now() - started) * 10) / 10;
  try {
    await clients.runtime.send(
      new InvokeEndpointCommand({
        EndpointName: endpoint,
        ContentType: 'application/json',
        Accept: 'application/json',
        CustomAttributes: `path=${request.path}`,
        Body: new TextEncoder().encode(JSON.stringify(request.body ?? {})),
      }),
      { abortSignal: AbortSignal.timeout(timeoutMs) },
    );
    return { label, status: 200, expectStatus: request.expectStatus, latencyMs: elapsed(), ok: request.expectStatus === 200 };
  } catch (err) {
    const latencyMs = elapsed();
    const e = err as Error & { OriginalStatusCode?: number };
    if (e.name === 'ModelError' && typeof e.OriginalStatusCode === 'number') {
      const status = e.OriginalStatusCode;
      return { label, status, expectStatus: request.expectStatus, latencyMs, ok: status === request.expectStatus };
    }
    const error = e.name === 'AbortError' || e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : `${e.name}: ${e.message}`;
    return { label, status: null, expectStatus: request.expectStatus, latencyMs, ok: false, error };
  }
}
