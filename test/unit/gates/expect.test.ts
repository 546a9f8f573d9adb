import { expectCheck, expectChecks } from '../../../lib/gates/expect.js';
import { describeCheck } from '../../../lib/gates/verdict.js';
import { smokeSchema } from '../../../lib/plan/schema.js';

const answer = { neighbors: [1, 2, 3], score: 0.935, label: 'eczema' };
const ok = { status: 200, answer };
const check = (e: Record<string, unknown>, r: Parameters<typeof expectCheck>[2] = ok) =>
  expectCheck('expect POST /predict x', smokeSchema.shape.expect.unwrap().element.parse(e), r);

describe('expect assertions', () => {
  it('equals compares canonical JSON, any key order', () => {
    expect(check({ path: '$.neighbors[0]', equals: 1 })).toMatchObject({ value: 1, threshold: '1', passed: true });
    expect(check({ path: '$.neighbors[0]', equals: 2 })).toMatchObject({ value: 1, threshold: '2', passed: false });
    expect(check({ path: '$', equals: { score: 0.935, label: 'eczema', neighbors: [1, 2, 3] } }).passed).toBe(true);
    expect(check({ path: '$.neighbors', equals: [1, 3, 2] }).passed).toBe(false);
  });

  it('approx holds a number within its tolerance (0 without one)', () => {
    expect(check({ path: '$.score', approx: 0.93, tolerance: 0.01 })).toMatchObject({
      value: 0.935,
      threshold: '0.93 ± 0.01',
      passed: true,
    });
    expect(check({ path: '$.score', approx: 0.9, tolerance: 0.01 }).passed).toBe(false);
    expect(check({ path: '$.score', approx: 0.935 }).passed).toBe(true);
    expect(check({ path: '$.label', approx: 1, tolerance: 5 }).passed).toBe(false);
  });

  it('minItems and maxItems count an array or a string', () => {
    expect(check({ path: '$.neighbors', minItems: 3 })).toMatchObject({ value: '[1,2,3]', threshold: '≥ 3 items', passed: true });
    expect(check({ path: '$.neighbors', minItems: 4 }).passed).toBe(false);
    expect(check({ path: '$.neighbors', maxItems: 2 }).passed).toBe(false);
    expect(check({ path: '$.label', maxItems: 6 }).passed).toBe(true);
    expect(check({ path: '$.score', minItems: 0 }).passed).toBe(false);
  });

  it('exists: present or absent', () => {
    expect(check({ path: '$.label', exists: true }).passed).toBe(true);
    expect(check({ path: '$.missing', exists: false }).passed).toBe(true);
    expect(check({ path: '$.missing', exists: true })).toMatchObject({ value: '(absent)', passed: false });
  });

  it('a missing path or no answer fails, naming what was there', () => {
    expect(check({ path: '$.missing', equals: 1 })).toMatchObject({ value: '(absent)', passed: false });
    expect(check({ path: '$.score', equals: 1 }, { status: null, error: 'ECONNREFUSED' })).toMatchObject({
      value: 'ECONNREFUSED',
      passed: false,
    });
  });

  it('the schema takes exactly one kind per entry and a path of the subset', () => {
    const parse = (e: unknown) => smokeSchema.safeParse({ path: '/p', expect: [e] }).success;
    expect(parse({ path: '$.a', equals: 1, minItems: 2 })).toBe(false);
    expect(parse({ path: '$.a' })).toBe(false);
    expect(parse({ path: '$..a', equals: 1 })).toBe(false);
    expect(parse({ path: '$.a', tolerance: 1, equals: 1 })).toBe(false);
    expect(parse({ path: '$.a', equals: null })).toBe(true);
    expect(parse({ path: '$.a', equals: 'x', extra: 1 })).toBe(false);
    expect(parse({ path: '$.a', equals: 'x' })).toBe(true);
  });

  it('checks are named after the request and the path; the reason line names the path', () => {
    const smoke = [smokeSchema.parse({ method: 'POST', path: '/predict', expect: [{ path: '$.neighbors[0]', equals: 2 }] })];
    const checks = expectChecks(smoke, [
      { label: 'POST /predict', status: 200, expectStatus: 200, latencyMs: 1, ok: true, ref: { kind: 'smoke', index: 0 }, answer },
    ]);
    expect(checks).toEqual([{ name: 'expect POST /predict $.neighbors[0]', value: 1, threshold: '2', passed: false }]);
    expect(describeCheck(checks[0]!)).toBe('expect POST /predict $.neighbors[0] 1 (expected 2)');
  });
});
