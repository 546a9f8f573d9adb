import { NoCredentialsError, RolloutError, TargetError, TransientError } from '../../../lib/errors.js';
import { aws, isAlreadyExists, isNotFound, isRetryable, mapAwsError, missingAction, NO_CREDENTIALS } from '../../../lib/aws/errors.js';

function awsError(name: string, message: string, status: number, extra: Record<string, unknown> = {}) {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status }, ...extra });
}

describe('mapAwsError', () => {
  it.each([
    ['Throttling', 'Rate exceeded', 400],
    ['ThrottlingException', 'Rate exceeded', 400],
    ['TooManyRequestsException', 'slow down', 429],
    ['InternalFailure', 'oops', 500],
    ['ServiceUnavailable', 'down', 503],
    ['OperationInProgressException', 'busy', 400],
    ['InvalidParameterValue', 'Environment named skin-prod is in an invalid state for this operation. Must be Ready.', 400],
    ['ValidationException', 'Cannot update in-progress endpoint "arn:…".', 400],
  ])('%s (%s, HTTP %i) is transient', (name, message, status) => {
    const mapped = mapAwsError(awsError(name, message, status), 'UpdateEnvironment environment skin-prod');
    expect(mapped).toBeInstanceOf(TransientError);
    expect(mapped.message).toBe(`UpdateEnvironment environment skin-prod: ${name}: ${message}`);
    expect(mapped.cause).toMatchObject({ name });
  });

  it('network failures are transient', () => {
    expect(mapAwsError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 'x')).toBeInstanceOf(TransientError);
  });

  it.each([
    ['AccessDeniedException', 403],
    ['InsufficientPrivilegesException', 403],
    ['ExpiredToken', 400],
  ])('%s is a TargetError saying access was denied, naming the call, the resource and the action', (name, status) => {
    const mapped = mapAwsError(awsError(name, 'not authorized', status), 'CreateModel model m1');
    expect(mapped).toBeInstanceOf(TargetError);
    expect(mapped.message).toBe(
      `access denied — CreateModel model m1: the IAM action sagemaker:CreateModel is not allowed (${name}: not authorized)`,
    );
    expect(isRetryable(awsError(name, 'not authorized', status))).toBe(false);
  });

  it('takes the missing action from the message when AWS names it', () => {
    const err = awsError(
      'AccessDenied',
      'User: arn:aws:iam::123456789012:user/ci is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::b/k"',
      403,
    );
    const mapped = mapAwsError(err, 'GetObject s3://b/k');
    expect(mapped.message).toMatch(
      /^access denied — GetObject s3:\/\/b\/k: the IAM action s3:GetObject is not allowed \(AccessDenied: User: /,
    );
    expect(missingAction(err, 'x')).toBe('s3:GetObject');
    expect(missingAction(awsError('AccessDenied', '', 403), 'UpdateEnvironment environment e')).toBe('elasticbeanstalk:UpdateEnvironment');
    expect(missingAction(awsError('AccessDenied', '', 403), 'something else')).toBeNull();
  });

  it('no credentials at all is NoCredentialsError with the line a user can act on, never retried', async () => {
    const err = Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
    const mapped = mapAwsError(err, 'DescribeEndpoint endpoint skin');
    expect(mapped).toBeInstanceOf(NoCredentialsError);
    expect(mapped.name).toBe('NoCredentials');
    expect(mapped.message).toBe(`${NO_CREDENTIALS} — DescribeEndpoint endpoint skin`);
    expect(NO_CREDENTIALS).toBe('no AWS credentials found (AWS_PROFILE, AWS_ACCESS_KEY_ID, SSO or an instance role)');
    expect(isRetryable(err)).toBe(false);
    await expect(aws('DescribeEndpoint endpoint skin', () => Promise.reject(err))).rejects.toBeInstanceOf(NoCredentialsError);
  });

  it('says whether a retry makes sense', () => {
    expect(isRetryable(awsError('ThrottlingException', 'Rate exceeded', 400))).toBe(true);
    expect(isRetryable(awsError('SlowDown', 'slow', 503))).toBe(true);
    expect(isRetryable(awsError('ValidationException', 'bad image', 400))).toBe(false);
    expect(isRetryable(new TransientError('x'))).toBe(true);
    expect(isRetryable(new TargetError('x'))).toBe(false);
  });

  it('anything else is a TargetError naming the call', () => {
    const mapped = mapAwsError(awsError('ValidationException', 'Could not find endpoint "x".', 400), 'DescribeEndpoint endpoint x');
    expect(mapped).toBeInstanceOf(TargetError);
    expect(mapped.message).toBe('DescribeEndpoint endpoint x: ValidationException: Could not find endpoint "x".');
  });

  it("leaves the rollout's own errors alone", () => {
    const own = new TransientError('already mapped');
    expect(mapAwsError(own, 'x')).toBe(own);
    expect(own).toBeInstanceOf(RolloutError);
  });
});

describe('answers some callers expect', () => {
  it('tells "not found" and "already exists" apart from other errors', () => {
    expect(isNotFound(awsError('ValidationException', 'Could not find endpoint "arn".', 400))).toBe(true);
    expect(isNotFound(awsError('NotFound', '', 404))).toBe(true);
    expect(isNotFound(awsError('ValidationException', 'bad image', 400))).toBe(false);
    expect(isAlreadyExists(awsError('ValidationException', 'Cannot create already existing model "m".', 400))).toBe(true);
    expect(isAlreadyExists(awsError('InvalidParameterValue', 'Application Version 1.0 already exists.', 400))).toBe(true);
    expect(isAlreadyExists(awsError('ValidationException', 'bad image', 400))).toBe(false);
  });
});
