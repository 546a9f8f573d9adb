import { NoCredentialsError, RolloutError, TargetError, TransientError } from '../errors.js';

/**
 * The one classifier from AWS SDK errors to the rollout's hierarchy, used by the targets, the
 * state store, the bundle fetch, start and notify. What a retry can fix (throttling, 5xx, network
 * faults, a busy resource) → TransientError, which the state machine retries with backoff; missing
 * credentials → NoCredentialsError (the rollout is rejected before any change); everything else
 * → TargetError naming the call and the resource, and for access denied the missing IAM action.
 */

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
]);

/** The SDK's default credential chain found nothing (no env keys, profile, SSO or instance role). */
const NO_CREDENTIALS_NAMES = new Set(['CredentialsProviderError', 'ProviderError']);

/** The line a user reads when no credentials were found. */
export const NO_CREDENTIALS = 'no AWS credentials found (AWS_PROFILE, AWS_ACCESS_KEY_ID, SSO or an instance role)';

/**
 * A resource busy with another operation: "is in an invalid state for this operation" (Elastic
 * Beanstalk while Updating), "Cannot update in-progress endpoint" (SageMaker). It frees itself.
 */
const BUSY = /invalid state for this operation|in-progress|in progress|currently (being )?updat/i;

/** IAM service prefixes of the operations this tool calls, to name the missing action. */
const SERVICE_OF: Record<string, readonly string[]> = {
  s3: ['GetObject', 'PutObject', 'HeadObject', 'DeleteObject', 'HeadBucket', 'ListObjectsV2', 'GetBucketLocation'],
  elasticbeanstalk: [
    'AbortEnvironmentUpdate',
    'CreateApplicationVersion',
    'DescribeApplicationVersions',
    'DescribeConfigurationSettings',
    'DescribeEnvironments',
    'DescribeEnvironmentHealth',
    'DescribeEnvironmentResources',
    'DescribeInstancesHealth',
    'DescribeEvents',
    'UpdateEnvironment',
  ],
  sagemaker: [
    'AddTags',
    'CreateEndpoint',
    'CreateEndpointConfig',
    'CreateModel',
    'DeleteEndpoint',
    'DeleteEndpointConfig',
    'DeleteModel',
    'DescribeEndpoint',
    'DescribeEndpointConfig',
    'DescribeModel',
    'InvokeEndpoint',
    'ListTags',
    'UpdateEndpoint',
  ],
  ecs: ['DescribeServices', 'DescribeTaskDefinition', 'RegisterTaskDefinition', 'TagResource', 'UpdateService'],
  elasticloadbalancing: [
    'DescribeListeners',
    'DescribeLoadBalancers',
    'DescribeRules',
    'DescribeTargetGroups',
    'DescribeTargetHealth',
    'ModifyTargetGroup',
  ],
  cloudwatch: ['GetMetricData', 'GetMetricStatistics'],
  sns: ['Publish'],
  states: ['StartExecution', 'DescribeExecution'],
};
const ACTION_OF = new Map(Object.entries(SERVICE_OF).flatMap(([service, ops]) => ops.map((op) => [op, `${service}:${op}`] as const)));

/**
 * The IAM action an access-denied answer is missing: the one AWS names in its message
 * ("… is not authorized to perform: sagemaker:CreateModel on resource: …"), else the one of the
 * call `what` starts with, else null.
 */
export function missingAction(err: unknown, what: string): string | null {
  const named = /not authorized to perform:?\s*([a-z0-9-]+:[A-Za-z0-9*]+)/i.exec((err as AwsErrorLike)?.message ?? '');
  if (named?.[1]) return named[1];
  const op = /^[A-Z][A-Za-z0-9]+/.exec(what)?.[0];
  return (op && ACTION_OF.get(op)) || null;
}

/** True when a retry of the call may succeed: throttling, a 5xx, a network fault, a busy resource. */
export function isRetryable(err: unknown): boolean {
  if (err instanceof RolloutError) return err instanceof TransientError;
  const e = (err ?? {}) as AwsErrorLike;
  const name = e.name ?? '';
  const status = e.$metadata?.httpStatusCode ?? 0;
  if (ACCESS_NAMES.has(name) || NO_CREDENTIALS_NAMES.has(name) || status === 403) return false;
  return (
    TRANSIENT_NAMES.has(name) ||
    name.includes('Throttl') ||
    status >= 500 ||
    status === 429 ||
    e.$fault === 'server' ||
    Boolean(e.$retryable) ||
    NETWORK_CODES.has(e.code ?? '') ||
    BUSY.test(e.message ?? '')
  );
}

/** True when the SDK found no credentials at all. */
export function isNoCredentials(err: unknown): boolean {
  if (err instanceof NoCredentialsError) return true;
  const e = (err ?? {}) as AwsErrorLike;
  return NO_CREDENTIALS_NAMES.has(e.name ?? '') || /could not load credentials from any providers/i.test(e.message ?? '');
}

/**
 * Maps an AWS SDK error to the rollout's hierarchy; `what` names the call and the resource
 * ("UpdateEnvironment environment skin-prod", "GetObject s3://bucket/key"). The rollout's own
 * errors pass unchanged.
 */
export function mapAwsError(err: unknown, what: string): RolloutError {
  if (err instanceof RolloutError) return err;
  const e = (err ?? {}) as AwsErrorLike;
  const name = e.name ?? 'Error';
  const detail = `${name}${e.message && e.message !== name ? `: ${e.message}` : ''}`;
  if (isNoCredentials(err)) return new NoCredentialsError(`${NO_CREDENTIALS} — ${what}`, { cause: err });
  const status = e.$metadata?.httpStatusCode ?? 0;
  if (ACCESS_NAMES.has(name) || status === 403) {
    const action = missingAction(err, what);
    const missing = action ? `the IAM action ${action} is not allowed` : 'not allowed by IAM';
    return new TargetError(`access denied — ${what}: ${missing} (${detail})`, { cause: err });
  }
  const message = `${what}: ${detail}`;
  if (isRetryable(err)) return new TransientError(message, { cause: err });
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
