import middy from '@middy/core';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { HandlerDeps } from '../lib/proxy/build.js';
import { MethodNotAllowedError } from '../lib/proxy/errors.js';
import { lambdaDeps } from '../lib/proxy/lambda.js';
import { apiKeyAuth, apiKeyIdOf, jsonErrors, lambdaLogContext } from '../lib/proxy/middleware.js';
import { decodeBody, parseEnvironment, predictPath, readHttpApiEvent, wantsNoCache } from '../lib/proxy/request.js';

type Result = APIGatewayProxyStructuredResultV2;

/** An HTTP API (payload 2.0) handler. */
export type InferenceProxyHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<Result>;

/** A header's value, when it is one string (readHttpApiEvent checks the event, not its headers). */
function header(event: APIGatewayProxyEventV2, name: string): string | undefined {
  const value: unknown = event.headers?.[name];
  return typeof value === 'string' ? value : undefined;
}

/** POST /v1/{environment}/predict, answered by the caching proxy. */
export function createInferenceProxyHandler(deps: HandlerDeps): InferenceProxyHandler {
  // No timeoutEarly: the upstream call is bounded well inside the function's timeout, and its
  // per-invocation timer would cost every hit.
  const handler = middy<APIGatewayProxyEventV2, Result, Error, Context>({ timeoutEarlyInMillis: 0 }).handler(async (event) => {
    const e = readHttpApiEvent(event);
    if (e.requestContext.http.method !== 'POST') throw new MethodNotAllowedError(e.requestContext.http.method);
    const environment = parseEnvironment(e.pathParameters?.environment);
    const body = decodeBody(e.body, e.isBase64Encoded, deps.maxBodyBytes);
    const answer = await deps.proxy.predict({
      environment,
      path: predictPath(environment),
      body,
      noCache: wantsNoCache(header(event, 'cache-control')),
      apiKeyId: apiKeyIdOf(event),
    });
    return {
      statusCode: answer.status,
      headers: { 'content-type': answer.contentType, 'x-cache': answer.cache },
      body: answer.body,
    };
  });
  handler.use(lambdaLogContext(deps.logger, { debugSampling: deps.logDebugSampling }));
  if (deps.emf) handler.use(logMetrics(deps.emf));
  return handler.use(jsonErrors(deps.logger, deps.metrics)).use(apiKeyAuth(deps.auth));
}

let depsFactory: () => Promise<HandlerDeps> = () => lambdaDeps(process.env);
let built: Promise<InferenceProxyHandler> | null = null;

/** Replaces how the handler's dependencies are built (tests); null restores the Lambda's. */
export function setInferenceProxyDeps(factory: (() => Promise<HandlerDeps>) | null): void {
  depsFactory = factory ?? (() => lambdaDeps(process.env));
  built = null;
}

/** The Lambda entry point: dependencies built on the first invocation, kept for the container. */
export const handler: InferenceProxyHandler = async (event, context) => {
  built ??= depsFactory()
    .then(createInferenceProxyHandler)
    .catch((err: unknown) => {
      // Not cached: the next invocation tries again (e.g. after a transient S3/SSM failure).
      built = null;
      throw err;
    });
  return (await built)(event, context);
};
