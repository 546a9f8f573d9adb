import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { ApiKeyAuth } from './auth.js';
import { ProxyError, UpstreamError, UpstreamTimeoutError } from './errors.js';
import { ProxyMetric, type ProxyMetrics } from './metrics.js';

type Result = APIGatewayProxyStructuredResultV2;

/** The JSON error answer of an error: ProxyErrors carry their status; anything else is a 500. */
export function errorResponse(err: unknown): Result {
  if (err instanceof ProxyError) {
    return {
      statusCode: err.status,
      headers: { 'content-type': 'application/json', ...err.headers() },
      body: JSON.stringify({ error: err.code, message: err.message }),
    };
  }
  return {
    statusCode: 500,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ error: 'internal_error', message: 'the proxy failed; see its logs' }),
  };
}

/** Logs what errorResponse hides (ProxyErrors are the client's or upstream's, logged elsewhere). */
export interface ErrorLogger {
  error(message: string, error: Error): void;
}

/** Turns every error of the handler or of a middleware into a JSON error answer, counted. */
export function jsonErrors(logger: ErrorLogger, metrics: ProxyMetrics): MiddlewareObj<APIGatewayProxyEventV2, Result> {
  return {
    onError: (request) => {
      const err = request.error;
      if (!(err instanceof ProxyError)) logger.error('unexpected failure', err instanceof Error ? err : new Error(String(err)));
      const response = errorResponse(err);
      // Upstream failures are counted where they happen (UpstreamError, UpstreamTimeout).
      if (!(err instanceof UpstreamError || err instanceof UpstreamTimeoutError)) {
        metrics.count((response.statusCode ?? 500) < 500 ? ProxyMetric.Refused : ProxyMetric.ProxyFailure);
      }
      request.response = response;
    },
  };
}

// Per request, not in middy's `internal` (one object shared by every request of a handler).
const keyIds = new WeakMap<object, string | null>();

/** The id of the API key that authenticated this event (null when auth is off). */
export function apiKeyIdOf(event: APIGatewayProxyEventV2): string | null {
  return keyIds.get(event) ?? null;
}

/** Refuses requests without a valid x-api-key (401/403) before anything else runs. */
export function apiKeyAuth(auth: ApiKeyAuth): MiddlewareObj<APIGatewayProxyEventV2, Result> {
  return {
    before: async (request) => {
      const presented: unknown = request.event.headers?.['x-api-key'];
      keyIds.set(request.event, await auth.check(typeof presented === 'string' ? presented : undefined));
    },
  };
}
