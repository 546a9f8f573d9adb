import { RequestHasher } from '../../../lib/proxy/body-hash.js';
import { requestHash } from '../../../lib/proxy/cache-key.js';
import { InvalidJsonError } from '../../../lib/proxy/errors.js';

const PATH = '/v1/prod/predict';

describe('RequestHasher', () => {
  it('gives the canonical request hash: one for the same JSON however it is written', () => {
    const h = new RequestHasher();
    const a = h.hash('POST', PATH, '{"top_k":5,"embedding":[0.1,0.2]}');
    expect(a).toBe(requestHash('POST', PATH, { embedding: [0.1, 0.2], top_k: 5 }));
    expect(h.hash('POST', PATH, '{ "embedding": [0.1, 0.2],\n "top_k": 5 }')).toBe(a);
    // Remembered: asked again, the same answer.
    expect(h.hash('POST', PATH, '{"top_k":5,"embedding":[0.1,0.2]}')).toBe(a);
  });

  it('keeps the same body on another path or method apart', () => {
    const h = new RequestHasher();
    const body = '{"embedding":[1]}';
    const here = h.hash('POST', PATH, body);
    expect(h.hash('POST', '/v1/dev/predict', body)).not.toBe(here);
    expect(h.hash('PUT', PATH, body)).not.toBe(here);
    expect(h.hash('POST', PATH, body)).toBe(here);
  });

  it('refuses a body that is not JSON, every time (nothing is remembered for it)', () => {
    const h = new RequestHasher();
    expect(() => h.hash('POST', PATH, 'embedding=1')).toThrow(InvalidJsonError);
    expect(() => h.hash('POST', PATH, 'embedding=1')).toThrow(InvalidJsonError);
    expect(() => h.hash('POST', PATH, '')).toThrow(/empty/);
  });

  it('hashes requests too large to remember all the same', () => {
    const h = new RequestHasher(1_000);
    const big = JSON.stringify({ embedding: Array.from({ length: 20_000 }, (_, i) => i) });
    expect(h.hash('POST', PATH, big)).toBe(h.hash('POST', PATH, big));
    expect(h.hash('POST', PATH, big)).toBe(requestHash('POST', PATH, JSON.parse(big)));
  });
});
