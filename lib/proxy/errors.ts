/**
 * The proxy domain's errors. Each carries the HTTP status and the machine-readable code of the
 * JSON error body it becomes (functions/inference-proxy.ts maps them; nothing else does).
 */

/** Codes of the JSON error body `{ "error": code, "message": ... }`. */
export const ProxyErrorCode = {
  InvalidRequest: 'invalid_request',
  MethodNotAllowed: 'method_not_allowed',
  InvalidJson: 'invalid_json',
  PayloadTooLarge: 'payload_too_large',
  Unauthorized: 'unauthorized',
  Forbidden: 'forbidden',
  RateLimited: 'rate_limited',
  UnknownEnvironment: 'unknown_environment',
  NotServing: 'not_serving',
  AuthUnavailable: 'auth_unavailable',
  UpstreamError: 'upstream_error',
  UpstreamTimeout: 'upstream_timeout',
} as const;
export type ProxyErrorCode = (typeof ProxyErrorCode)[keyof typeof ProxyErrorCode];

/** Base of the hierarchy: `status` is the HTTP status the client gets. */
export abstract class ProxyError extends Error {
  abstract readonly status: number;
  abstract readonly code: ProxyErrorCode;
  override readonly name: string = 'ProxyError';
  /** Extra headers of the error answer (e.g. Retry-After). */
  headers(): Record<string, string> {
    return {};
  }
}

/** The request is malformed (path, method, environment name). */
export class InvalidRequestError extends ProxyError {
  override readonly name = 'InvalidRequestError';
  readonly status = 400;
  readonly code = ProxyErrorCode.InvalidRequest;
}

export class MethodNotAllowedError extends ProxyError {
  override readonly name = 'MethodNotAllowedError';
  readonly status = 405;
  readonly code = ProxyErrorCode.MethodNotAllowed;
  constructor(method: string) {
    super(`${method} is not allowed: predictions are POST requests`);
  }
  override headers(): Record<string, string> {
    return { allow: 'POST' };
  }
}

export class InvalidJsonError extends ProxyError {
  override readonly name = 'InvalidJsonError';
  readonly status = 400;
  readonly code = ProxyErrorCode.InvalidJson;
  constructor(detail: string, options?: ErrorOptions) {
    super(`the request body is not JSON: ${detail}`, options);
  }
}

export class PayloadTooLargeError extends ProxyError {
  override readonly name = 'PayloadTooLargeError';
  readonly status = 413;
  readonly code = ProxyErrorCode.PayloadTooLarge;
  constructor(readonly limitBytes: number) {
    super(`the request body is larger than ${limitBytes} bytes`);
  }
}

/** No x-api-key header. */
export class UnauthorizedError extends ProxyError {
  override readonly name = 'UnauthorizedError';
  readonly status = 401;
  readonly code = ProxyErrorCode.Unauthorized;
  constructor() {
    super('an API key is required in the x-api-key header');
  }
}

/** An x-api-key that matches no key. */
export class ForbiddenError extends ProxyError {
  override readonly name = 'ForbiddenError';
  readonly status = 403;
  readonly code = ProxyErrorCode.Forbidden;
  constructor() {
    super('the API key in x-api-key is not valid');
  }
}

export class RateLimitedError extends ProxyError {
  override readonly name = 'RateLimitedError';
  readonly status = 429;
  readonly code = ProxyErrorCode.RateLimited;
  constructor(
    readonly limitPerMinute: number,
    /** s until the window ends */
    readonly retryAfterSeconds: number,
  ) {
    super(`this API key made more than ${limitPerMinute} requests this minute`);
  }
  override headers(): Record<string, string> {
    return { 'retry-after': String(this.retryAfterSeconds) };
  }
}

export class UnknownEnvironmentError extends ProxyError {
  override readonly name = 'UnknownEnvironmentError';
  readonly status = 404;
  readonly code = ProxyErrorCode.UnknownEnvironment;
  constructor(readonly environment: string) {
    super(`unknown environment "${environment}": no version serves it`);
  }
}

/** The environment is known but its serving record names nowhere to forward to. */
export class NotServingError extends ProxyError {
  override readonly name = 'NotServingError';
  readonly status = 503;
  readonly code = ProxyErrorCode.NotServing;
  constructor(
    readonly environment: string,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(`environment "${environment}" cannot be reached: ${detail}`, options);
  }
}

/** The API keys could not be read (SSM unreachable and nothing cached). */
export class AuthUnavailableError extends ProxyError {
  override readonly name = 'AuthUnavailableError';
  readonly status = 503;
  readonly code = ProxyErrorCode.AuthUnavailable;
}

/** The service failed: network error, 5xx, or an unusable answer. */
export class UpstreamError extends ProxyError {
  override readonly name = 'UpstreamError';
  readonly status = 502;
  readonly code = ProxyErrorCode.UpstreamError;
  constructor(
    message: string,
    /** The service's HTTP status, when it answered. */
    readonly upstreamStatus: number | null = null,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export class UpstreamTimeoutError extends ProxyError {
  override readonly name = 'UpstreamTimeoutError';
  readonly status = 504;
  readonly code = ProxyErrorCode.UpstreamTimeout;
  constructor(
    readonly timeoutMs: number,
    options?: ErrorOptions,
  ) {
    super(`the service did not answer within ${timeoutMs} ms`, options);
  }
}
