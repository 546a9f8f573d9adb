import { RolloutError, TargetError, TransientError } from '../../../lib/errors.js';
import { isAlreadyExists, isNotFound, mapAwsError, perRegion } from '../../../lib/targets/aws-errors.js';

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
    ['CredentialsProviderError', 0],
  ])('%s is a TargetError saying access was denied', (name, status) => {
    const mapped = mapAwsError(awsError(name, 'not authorized', status), 'CreateModel m1');
    expect(mapped).toBeInstanceOf(TargetError);
    expect(mapped.message).toBe(`access denied — CreateModel m1: ${name}: not authorized`);
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

describe('perRegion', () => {
  it('creates one client per region and keeps it', () => {
    let made = 0;
    const get = perRegion((region) => ({ region, n: ++made }));
    expect(get('eu-west-1')).toBe(get('eu-west-1'));
    expect(get('us-east-1')).toEqual({ region: 'us-east-1', n: 2 });
  });
});
