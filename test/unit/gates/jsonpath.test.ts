import { lookup, parsePath } from '../../../lib/gates/jsonpath.js';

describe('JSONPath subset', () => {
  const body = { neighbors: [{ id: 'a' }, { id: 'b' }], score: 0.9, 'odd key': null, nested: { 'x.y': [1, [2, 3]] } };

  it('parses $, dotted names, quoted names and indexes', () => {
    expect(parsePath('$')).toEqual([]);
    expect(parsePath('$.neighbors[0].id')).toEqual(['neighbors', 0, 'id']);
    expect(parsePath(`$['odd key']`)).toEqual(['odd key']);
    expect(parsePath('$["x.y"][-1]')).toEqual(['x.y', -1]);
  });

  it('refuses what is outside the subset', () => {
    for (const p of ['neighbors', '$..id', '$.neighbors[*]', '$[?(@.id)]', '$.', '$.a b']) expect(parsePath(p)).toBeNull();
    expect(() => lookup(body, '$..id')).toThrow(/not a supported JSONPath/);
  });

  it('finds values, including null, and tells a missing step from a null value', () => {
    expect(lookup(body, '$')).toEqual({ found: true, value: body });
    expect(lookup(body, '$.neighbors[1].id')).toEqual({ found: true, value: 'b' });
    expect(lookup(body, '$.neighbors[-1].id')).toEqual({ found: true, value: 'b' });
    expect(lookup(body, `$['odd key']`)).toEqual({ found: true, value: null });
    expect(lookup(body, '$.nested["x.y"][1][0]')).toEqual({ found: true, value: 2 });
    expect(lookup(body, '$.neighbors[2]')).toEqual({ found: false });
    expect(lookup(body, '$.score.x')).toEqual({ found: false });
    expect(lookup(body, '$.neighbors.id')).toEqual({ found: false });
    expect(lookup(body, '$.toString')).toEqual({ found: false });
    expect(lookup('text', '$[0]')).toEqual({ found: false });
  });
});
