import { BodyHasher } from '../../../lib/proxy/body-hash.js';
import { payloadHash } from '../../../lib/proxy/cache-key.js';
import { InvalidJsonError } from '../../../lib/proxy/errors.js';

describe('BodyHasher', () => {
  it('gives the canonical hash: one for the same JSON however it is written', () => {
    const h = new BodyHasher();
    const a = h.digest('{"top_k":5,"embedding":[0.1,0.2]}');
    expect(a).toBe(payloadHash({ embedding: [0.1, 0.2], top_k: 5 }));
    expect(h.digest('{ "embedding": [0.1, 0.2],\n "top_k": 5 }')).toBe(a);
    // Remembered: asked again, the same answer.
    expect(h.digest('{"top_k":5,"embedding":[0.1,0.2]}')).toBe(a);
  });

  it('refuses a body that is not JSON, every time (nothing is remembered for it)', () => {
    const h = new BodyHasher();
    expect(() => h.digest('embedding=1')).toThrow(InvalidJsonError);
    expect(() => h.digest('embedding=1')).toThrow(InvalidJsonError);
    expect(() => h.digest('')).toThrow(/empty/);
  });

  it('hashes bodies too large to remember all the same', () => {
    const h = new BodyHasher(1_000);
    const big = JSON.stringify({ embedding: Array.from({ length: 20_000 }, (_, i) => i) });
    expect(h.digest(big)).toBe(h.digest(big));
    expect(h.digest(big)).toBe(payloadHash(JSON.parse(big)));
  });
});
