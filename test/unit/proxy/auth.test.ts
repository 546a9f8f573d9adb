import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { ApiKeyAuth, keyId, parseKeyList, staticKeys } from '../../../lib/proxy/auth.js';
import { AuthUnavailableError, ForbiddenError, UnauthorizedError } from '../../../lib/proxy/errors.js';
import { SsmApiKeySource } from '../../../lib/proxy/ssm-keys.js';
import { manualClock } from './support.js';

describe('ApiKeyAuth', () => {
  const auth = new ApiKeyAuth(staticKeys('alpha-key', 'beta-key-longer'));

  it('accepts any valid key and names it by a hash, never by the key', async () => {
    await expect(auth.check('alpha-key')).resolves.toBe(keyId('alpha-key'));
    await expect(auth.check('beta-key-longer')).resolves.toBe(keyId('beta-key-longer'));
    expect(keyId('alpha-key')).toMatch(/^[0-9a-f]{12}$/);
    expect(keyId('alpha-key')).not.toContain('alpha');
  });

  it('refuses a missing key with 401 and a wrong one with 403, whatever its length', async () => {
    await expect(auth.check(undefined)).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(auth.check('')).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(auth.check('alpha-kez')).rejects.toBeInstanceOf(ForbiddenError);
    await expect(auth.check('alpha')).rejects.toBeInstanceOf(ForbiddenError);
    await expect(auth.check('alpha-key-and-more')).rejects.toBeInstanceOf(ForbiddenError);
  });

  it('tells keys apart that only padding or length would confuse', async () => {
    const a = new ApiKeyAuth(staticKeys('ab', 'abc', 'clé-ü'));
    await expect(a.check('ab')).resolves.toBe(keyId('ab'));
    await expect(a.check('abc')).resolves.toBe(keyId('abc'));
    await expect(a.check('clé-ü')).resolves.toBe(keyId('clé-ü'));
    await expect(a.check('ab\u0000')).rejects.toBeInstanceOf(ForbiddenError);
    await expect(a.check('a')).rejects.toBeInstanceOf(ForbiddenError);
    await expect(a.check('cle-u')).rejects.toBeInstanceOf(ForbiddenError);
  });

  it('follows a new key list from its source', async () => {
    let keys: readonly string[] = ['old-key'];
    const a = new ApiKeyAuth({ keys: () => keys });
    await expect(a.check('old-key')).resolves.toBe(keyId('old-key'));
    keys = ['new-key'];
    await expect(a.check('old-key')).rejects.toBeInstanceOf(ForbiddenError);
    await expect(a.check('new-key')).resolves.toBe(keyId('new-key'));
  });

  it('answers without a promise when the keys are at hand', () => {
    expect(auth.verify('alpha-key')).toBe(keyId('alpha-key'));
    expect(() => auth.verify('alpha-kez')).toThrow(ForbiddenError);
    expect(() => auth.verify(undefined)).toThrow(UnauthorizedError);
    expect(new ApiKeyAuth(null).verify(undefined)).toBeNull();
  });

  it('waits for keys that must be read first, and refuses with them as well', async () => {
    const later = new ApiKeyAuth({ keys: async () => ['alpha-key'] });
    const pending = later.verify('alpha-key');
    expect(pending).toBeInstanceOf(Promise);
    await expect(pending).resolves.toBe(keyId('alpha-key'));
    await expect(later.verify('beta-key')).rejects.toBeInstanceOf(ForbiddenError);
  });

  it('answers 503 when reading the keys throws', () => {
    const throwing = new ApiKeyAuth({
      keys: () => {
        throw new Error('no keys');
      },
    });
    expect(() => throwing.verify('x')).toThrow(AuthUnavailableError);
  });

  it('lets everything through when off', async () => {
    const off = new ApiKeyAuth(null);
    expect(off.enabled).toBe(false);
    await expect(off.check(undefined)).resolves.toBeNull();
  });

  it('answers 503 when the keys cannot be read', async () => {
    const failing = new ApiKeyAuth({ keys: () => Promise.reject(new Error('SSM throttled')) });
    await expect(failing.check('x')).rejects.toBeInstanceOf(AuthUnavailableError);
  });
});

describe('parseKeyList', () => {
  it('splits on commas and newlines and drops blanks', () => {
    expect(parseKeyList(' a ,b\n\nc,\n')).toEqual(['a', 'b', 'c']);
  });
});

describe('SsmApiKeySource', () => {
  const ssm = mockClient(SSMClient);
  afterEach(() => ssm.reset());
  afterAll(() => ssm.restore());

  it('reads the SecureString once per TTL, decrypted', async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: 'k1,k2' } });
    const clock = manualClock();
    const source = new SsmApiKeySource(new SSMClient({}), '/ml-rollout/dev/proxy/api-keys', 60_000, clock);
    expect(await source.keys()).toEqual(['k1', 'k2']);
    clock.advance(59_000);
    // Still fresh: at hand, no promise.
    expect(source.keys()).toEqual(['k1', 'k2']);
    expect(ssm).toHaveReceivedCommandTimes(GetParameterCommand, 1);
    expect(ssm).toHaveReceivedCommandWith(GetParameterCommand, { Name: '/ml-rollout/dev/proxy/api-keys', WithDecryption: true });
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: 'k3' } });
    clock.advance(2_000);
    expect(await source.keys()).toEqual(['k3']);
    expect(ssm).toHaveReceivedCommandTimes(GetParameterCommand, 2);
  });

  it('keeps the keys it had when a refresh fails', async () => {
    ssm
      .on(GetParameterCommand)
      .resolvesOnce({ Parameter: { Value: 'k1' } })
      .rejects(new Error('throttled'));
    const clock = manualClock();
    const source = new SsmApiKeySource(new SSMClient({}), '/p', 1_000, clock);
    expect(await source.keys()).toEqual(['k1']);
    clock.advance(5_000);
    expect(await source.keys()).toEqual(['k1']);
  });

  it('fails when it never could read them', async () => {
    ssm.on(GetParameterCommand).rejects(new Error('AccessDenied'));
    const source = new SsmApiKeySource(new SSMClient({}), '/p', 1_000, manualClock());
    await expect(source.keys()).rejects.toThrow('AccessDenied');
  });
});
