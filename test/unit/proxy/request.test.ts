import { InvalidRequestError } from '../../../lib/proxy/errors.js';
import { parseEnvironment, readHttpApiEvent } from '../../../lib/proxy/request.js';
import { eventFixture } from './support.js';

const NOT_V2 = 'not an HTTP API (payload format 2.0) request';

describe('readHttpApiEvent', () => {
  it('passes an HTTP API payload 2.0 event through, extra fields and all', () => {
    const event = eventFixture('predict');
    expect(readHttpApiEvent(event)).toBe(event);
    // Optional fields: no body (a GET), no path parameters.
    const bare = { version: '2.0', isBase64Encoded: false, requestContext: { http: { method: 'GET' } } };
    expect(readHttpApiEvent(bare)).toBe(bare);
    expect(readHttpApiEvent({ ...bare, pathParameters: {} })).toMatchObject({ pathParameters: {} });
  });

  it.each<[string, (e: Record<string, unknown>) => void]>([
    ['payload format 1.0', (e) => void (e.version = '1.0')],
    ['no version', (e) => void delete e.version],
    ['a body that is not a string', (e) => void (e.body = { embedding: [1] })],
    ['a null body', (e) => void (e.body = null)],
    ['no isBase64Encoded', (e) => void delete e.isBase64Encoded],
    ['isBase64Encoded not a boolean', (e) => void (e.isBase64Encoded = 'false')],
    ['path parameters that are not an object', (e) => void (e.pathParameters = 'skin-dev')],
    ['path parameters that are an array', (e) => void (e.pathParameters = ['skin-dev'])],
    ['an environment that is not a string', (e) => void (e.pathParameters = { environment: 7 })],
    ['no requestContext', (e) => void delete e.requestContext],
    ['no requestContext.http', (e) => void (e.requestContext = {})],
    ['a method that is not a string', (e) => void (e.requestContext = { http: { method: null } })],
  ])('refuses %s with one clear 400', (_, change) => {
    const event = eventFixture('predict') as unknown as Record<string, unknown>;
    change(event);
    expect(() => readHttpApiEvent(event)).toThrow(new InvalidRequestError(NOT_V2));
  });

  it.each([null, undefined, 'event', 42, []])('refuses %p', (event) => {
    expect(() => readHttpApiEvent(event)).toThrow(NOT_V2);
  });
});

describe('parseEnvironment', () => {
  it('accepts slugs, and keeps refusing anything else once good names were seen', () => {
    expect(parseEnvironment('skin-dev')).toBe('skin-dev');
    expect(parseEnvironment('skin-dev')).toBe('skin-dev');
    for (const bad of ['Skin-Dev', 'skin_dev', '-skin', 'skin-', '', 'a/b', '../etc', undefined]) {
      expect(() => parseEnvironment(bad)).toThrow(/is not an environment name/);
    }
  });

  it('stays right past the number of names it remembers', () => {
    for (let i = 0; i < 600; i++) expect(parseEnvironment(`env-${i}`)).toBe(`env-${i}`);
    expect(parseEnvironment('env-0')).toBe('env-0');
    expect(() => parseEnvironment('ENV-0')).toThrow(InvalidRequestError);
  });
});
