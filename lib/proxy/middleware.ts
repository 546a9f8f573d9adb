import type { Logger } from '@aws-lambda-powertools/logger';
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
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
    // Not async: with the keys at hand (the usual case) the check takes no turn of the event loop.
    before: (request) => {
      const { event } = request;
      const presented: unknown = event.headers?.['x-api-key'];
      const id = auth.verify(typeof presented === 'string' ? presented : undefined);
      if (id instanceof Promise) return id.then((found) => void keyIds.set(event, found));
      keyIds.set(event, id);
      return undefined;
    },
  };
}

/** Whether POWERTOOLS_LOGGER_SAMPLE_RATE (as Powertools reads it) asks for debug log sampling. */
export function debugSamplingFromEnv(env: NodeJS.ProcessEnv): boolean {
  return Number(env.POWERTOOLS_LOGGER_SAMPLE_RATE) > 0;
}

/** Options of lambdaLogContext. */
export interface LogContextOptions {
  /**
   * POWERTOOLS_LOGGER_SAMPLE_RATE is above 0: draw again on every invocation whether its logs go
   * at DEBUG. Without a sample rate there is nothing to draw.
   */
  debugSampling?: boolean;
}

/**
 * The Lambda context (request id, function, cold start) in every log line of the invocation, and
 * the event itself when POWERTOOLS_LOGGER_LOG_EVENT asks for it: Powertools' injectLambdaContext
 * without what it repeats on every invocation for features the proxy does not use: the debug
 * sampling draw when no sample rate is set (it resets the log level, reading the environment
 * through Powertools' invocation store), and clearing the log buffer, never enabled here. On a
 * cache hit those cost about a tenth of the Redis round trip.
 */
export function lambdaLogContext(
  logger: Logger,
  options: LogContextOptions = {},
): MiddlewareObj<APIGatewayProxyEventV2, Result, Error, Context> {
  return {
    before: (request) => {
      if (options.debugSampling) logger.refreshSampleRateCalculation();
      logger.addContext(request.context);
      logger.logEventIfEnabled(request.event);
    },
  };
}
