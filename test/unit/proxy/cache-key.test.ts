import { cacheKey, canonicalJson, lockKeyOf, requestHash } from '../../../lib/proxy/cache-key.js';

describe('canonicalJson', () => {
  it('sorts object keys at every depth and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, 1], c: null } })).toBe('{"a":{"c":null,"d":[3,1]},"b":1}');
  });

  it('gives one text for the same request written in two key orders', () => {
    expect(canonicalJson({ top_k: 5, embedding: [0.1, 0.2] })).toBe(canonicalJson({ embedding: [0.1, 0.2], top_k: 5 }));
  });
});

describe('requestHash', () => {
  const payload = { embedding: [0.1, 0.2], top_k: 5 };

  it('is the same for the same method, path and JSON whatever the key order', () => {
    expect(requestHash('POST', '/v1/a/predict', payload)).toBe(requestHash('post', '/v1/a/predict', { top_k: 5, embedding: [0.1, 0.2] }));
  });

  it('differs when the path, the method or a value differs', () => {
    const h = requestHash('POST', '/v1/a/predict', payload);
    expect(requestHash('POST', '/v1/b/predict', payload)).not.toBe(h);
    expect(requestHash('PUT', '/v1/a/predict', payload)).not.toBe(h);
    expect(requestHash('POST', '/v1/a/predict', { ...payload, top_k: 6 })).not.toBe(h);
    expect(requestHash('POST', '/v1/a/predict', { embedding: [0.2, 0.1], top_k: 5 })).not.toBe(h);
  });
});

describe('cacheKey', () => {
  it('puts the environment and the serving version in the key', () => {
    const k1 = cacheKey('p:', 'prod', '1.2.0', 'abc');
    expect(k1).toBe('p:answer:prod:1.2.0:abc');
    expect(cacheKey('p:', 'prod', '1.3.0', 'abc')).not.toBe(k1);
    expect(cacheKey('p:', 'dev', '1.2.0', 'abc')).not.toBe(k1);
  });

  it('keeps a version with separators from colliding with another key', () => {
    expect(cacheKey('p:', 'prod', 'a:b', 'c')).toBe('p:answer:prod:a%3Ab:c');
    expect(lockKeyOf('p:answer:prod:1:abc')).toBe('p:answer:prod:1:abc:lock');
  });
});
