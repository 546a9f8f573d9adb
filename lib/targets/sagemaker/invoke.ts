import { InvokeEndpointCommand } from '@aws-sdk/client-sagemaker-runtime';
import type { SmokeRequest } from '../../plan/schema.js';
import type { RequestRef, RequestResult } from '../../gates/sample.js';
import { MAX_ANSWER_BYTES, parseAnswer } from '../../gates/gate-requests.js';
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
  request: Omit<SmokeRequest, 'expect'>,
  timeoutMs: number,
  /** Set when the gate reads the answer (expect, golden): the body is kept, parsed. */
  ref?: RequestRef,
): Promise<RequestResult> {
  const label = `${request.method} ${request.path}`;
  const started = performance.now();
  const elapsed = () => Math.round((performance.now() - started) * 10) / 10;
  try {
    const out = await clients.runtime.send(
      new InvokeEndpointCommand({
        EndpointName: endpoint,
        ContentType: 'application/json',
        Accept: 'application/json',
        CustomAttributes: `path=${request.path}`,
        Body: new TextEncoder().encode(JSON.stringify(request.body ?? {})),
      }),
      { abortSignal: AbortSignal.timeout(timeoutMs) },
    );
    const kept = ref
      ? { ref, answer: parseAnswer(new TextDecoder().decode((out.Body ?? new Uint8Array()).subarray(0, MAX_ANSWER_BYTES))) }
      : {};
    return { label, status: 200, expectStatus: request.expectStatus, latencyMs: elapsed(), ok: request.expectStatus === 200, ...kept };
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
