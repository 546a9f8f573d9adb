import { cacheKey, lockKeyOf, requestHash } from '../../../lib/proxy/cache-key.js';

const h = (payload: unknown, method = 'POST', path = '/v1/a/predict') => requestHash(method, path, payload);

describe('requestHash', () => {
  const payload = { embedding: [0.1, 0.2], top_k: 5 };

  it('is a sha256 in hex', () => {
    expect(h(payload)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is the same for the same JSON whatever the key order, at every depth', () => {
    expect(h(JSON.parse('{"top_k":5,"embedding":[0.1,0.2]}'))).toBe(h(payload));
    expect(h({ a: { y: 1, x: [{ q: 1, p: 2 }] }, b: null })).toBe(h({ b: null, a: { x: [{ p: 2, q: 1 }], y: 1 } }));
    expect(h(payload, 'post')).toBe(h(payload, 'POST'));
  });

  it('treats equal JSON numbers as equal (1.0 and 1)', () => {
    expect(h(JSON.parse('{"k":1.0}'))).toBe(h(JSON.parse('{"k":1}')));
  });

  it('differs when the path, the method, a value, a type or the array order differs', () => {
    const base = h(payload);
    const others = [
      h(payload, 'POST', '/v1/b/predict'),
      h(payload, 'PUT'),
      h({ ...payload, top_k: 6 }),
      h({ embedding: [0.2, 0.1], top_k: 5 }),
      h({ embedding: [0.1, 0.2], top_k: '5' }),
      h({ embedding: [0.1, 0.2] }),
      h({ embedding: [0.1, 0.2], top_k: 5, extra: null }),
    ];
    expect(new Set([base, ...others]).size).toBe(others.length + 1);
  });

  it('keeps strings apart from their neighbours (lengths are part of the encoding)', () => {
    expect(h(['ab', 'c'])).not.toBe(h(['a', 'bc']));
    expect(h({ ab: 'c' })).not.toBe(h({ a: 'bc' }));
    expect(h([[], []])).not.toBe(h([[[]]]));
  });

  it('hashes bodies larger than its initial buffer', () => {
    const big = { embedding: Array.from({ length: 5_000 }, (_, i) => i / 7), label: 'é'.repeat(3_000) };
    expect(h(big)).toBe(h(JSON.parse(JSON.stringify(big))));
    expect(h(big)).not.toBe(h({ ...big, label: 'e'.repeat(3_000) }));
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
