import { RolloutError, TargetError, TransientError } from '../errors.js';

/** What the SDK's service errors carry (v3: name, message, $metadata, $retryable). */
interface AwsErrorLike {
  name?: string;
  message?: string;
  code?: string;
  $fault?: 'client' | 'server';
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: number };
}

/** Error names that mean "try again later": throttling and service-side faults. */
const TRANSIENT_NAMES = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'ProvisionedThroughputExceededException',
  'SlowDown',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalFailure',
  'InternalServerError',
  'InternalServiceFault',
  'InternalError',
  'InternalDependencyException',
  'OperationInProgressException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);

/** Network failures below HTTP. */
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);

const ACCESS_NAMES = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'InsufficientPrivilegesException',
  'UnauthorizedOperation',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'ExpiredToken',
  'ExpiredTokenException',
  'CredentialsProviderError',
]);

/**
 * A resource busy with another operation: "is in an invalid state for this operation" (Elastic
 * Beanstalk while Updating), "Cannot update in-progress endpoint" (SageMaker). It frees itself.
 */
const BUSY = /invalid state for this operation|in-progress|in progress|currently (being )?updat/i;

/**
 * Maps an AWS SDK error to the rollout's hierarchy: throttling, 5xx, network faults and busy
 * resources → TransientError (the state machine retries with backoff); everything else, from
 * access denied to a bad parameter → TargetError, naming what was being done to which resource.
 */
export function mapAwsError(err: unknown, what: string): RolloutError {
  if (err instanceof RolloutError) return err;
  const e = (err ?? {}) as AwsErrorLike;
  const name = e.name ?? 'Error';
  const message = `${what}: ${name}${e.message && e.message !== name ? `: ${e.message}` : ''}`;
  const status = e.$metadata?.httpStatusCode ?? 0;
  if (ACCESS_NAMES.has(name) || status === 403) {
    return new TargetError(`access denied — ${message}`, { cause: err });
  }
  if (
    TRANSIENT_NAMES.has(name) ||
    status >= 500 ||
    status === 429 ||
    e.$fault === 'server' ||
    e.$retryable ||
    NETWORK_CODES.has(e.code ?? '') ||
    BUSY.test(e.message ?? '')
  ) {
    return new TransientError(message, { cause: err });
  }
  return new TargetError(message, { cause: err });
}

/** Runs one AWS call, mapping its failure (see mapAwsError). */
export async function aws<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw mapAwsError(err, what);
  }
}

/** True for "the thing does not exist" answers, which some callers treat as a normal outcome. */
export function isNotFound(err: unknown): boolean {
  const e = (err ?? {}) as AwsErrorLike;
  const cause = (err as { cause?: unknown })?.cause as AwsErrorLike | undefined;
  const text = `${e.name ?? ''} ${e.message ?? ''} ${cause?.name ?? ''} ${cause?.message ?? ''}`;
  return /ResourceNotFound|NotFound|Could not find|does not exist|No Application Version named/i.test(text);
}

/** True for "already exists" answers: a retried create of a deterministic name has nothing to do. */
export function isAlreadyExists(err: unknown): boolean {
  const e = (err ?? {}) as AwsErrorLike;
  const cause = (err as { cause?: unknown })?.cause as AwsErrorLike | undefined;
  const text = `${e.message ?? ''} ${cause?.message ?? ''}`;
  return /already exist/i.test(text);
}

/** One client per region, created on first use and kept for the process (a Lambda container). */
export function perRegion<T>(make: (region: string) => T): (region: string) => T {
  const clients = new Map<string, T>();
  return (region) => {
    let c = clients.get(region);
    if (!c) {
      c = make(region);
      clients.set(region, c);
    }
    return c;
  };
}
