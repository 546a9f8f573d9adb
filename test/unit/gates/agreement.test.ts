import { agreementCheck, compareAnswer, goldenAnswers, goldenKey, overlapAt, type GoldenAnswer } from '../../../lib/gates/agreement.js';
import { canonicalJson, cutJson, sameJson } from '../../../lib/gates/canonical.js';
import { describeCheck } from '../../../lib/gates/verdict.js';
import { agreementSchema } from '../../../lib/plan/answers-schema.js';
import { goldenSchema } from '../../../lib/plan/schema.js';

const spec = (a: Record<string, unknown>) => agreementSchema.parse(a);
const golden = [0.9, 0.2, 0.5, 0.7].map((x) => goldenSchema.parse({ method: 'POST', path: '/predict', body: { embedding: [x] } }));
const answersOf = (bodies: unknown[]): GoldenAnswer[] =>
  goldenAnswers(
    golden,
    bodies.map((answer, index) => ({
      label: 'POST /predict',
      status: 200,
      expectStatus: 200,
      latencyMs: 1,
      ok: true,
      ref: { kind: 'golden', index },
      answer,
    })),
  );

describe('canonical comparison', () => {
  it('sorts keys at every level and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, 1], c: null } })).toBe('{"a":{"c":null,"d":[2,1]},"b":1}');
    expect(sameJson({ a: 1, b: [1, 2] }, { b: [1, 2], a: 1 })).toBe(true);
    expect(sameJson([1, 2], [2, 1])).toBe(false);
    expect(sameJson({ a: 1 }, { a: 1, b: undefined })).toBe(false);
  });

  it('compares numbers exactly unless a tolerance is given', () => {
    expect(sameJson({ d: 0.1 + 0.2 }, { d: 0.3 })).toBe(false);
    expect(sameJson({ d: 0.1 + 0.2 }, { d: 0.3 }, 1e-9)).toBe(true);
    expect(sameJson([1.0, 2.04], [1, 2], 0.05)).toBe(true);
    expect(sameJson('1', 1, 5)).toBe(false);
  });

  it('cuts long values for report lines', () => {
    expect(
      cutJson(
        Array.from({ length: 100 }, (_, i) => i),
        20,
      ),
    ).toHaveLength(20);
    expect(cutJson(undefined)).toBe('(absent)');
  });
});

describe('agreement', () => {
  const known = answersOf([1, 2, 3, 4].map((n) => ({ version: '1', neighbors: [n, n + 1, n + 2] })));

  it('every golden answer the same on the compared part: 100 %', () => {
    const current = answersOf([1, 2, 3, 4].map((n) => ({ version: '2', neighbors: [n, n + 1, n + 2] })));
    const check = agreementCheck(spec({ path: '$.neighbors', minPercent: 95 }), current, known);
    expect(check).toMatchObject({ name: 'agreementPercent', value: 100, threshold: 95, passed: true, min: true });
  });

  it('the whole body by default: another version field disagrees', () => {
    const current = answersOf([1, 2, 3, 4].map((n) => ({ version: '2', neighbors: [n, n + 1, n + 2] })));
    expect(agreementCheck(spec({ minPercent: 95 }), current, known).value).toBe(0);
  });

  it('names the share, the first disagreeing request and both answers', () => {
    const current = answersOf([1, 9, 3, 9].map((n) => ({ neighbors: [n, n + 1, n + 2] })));
    const check = agreementCheck(spec({ path: '$.neighbors', minPercent: 95 }), current, known);
    expect(check).toMatchObject({ value: 50, passed: false });
    expect(describeCheck(check)).toBe(
      'agreementPercent 50% < 95% (2/4 agree; first disagreeing POST /predict {"embedding":[0.2]}: answered [9,10,11], the known-good [2,3,4])',
    );
  });

  it('tolerance lets numbers differ a little', () => {
    const k = answersOf([{ score: 0.93 }]);
    const c = answersOf([{ score: 0.931 }]);
    expect(agreementCheck(spec({ path: '$.score', minPercent: 100 }), c, k).value).toBe(0);
    expect(agreementCheck(spec({ path: '$.score', minPercent: 100, tolerance: 0.01 }), c, k).value).toBe(100);
  });

  it('overlapAtK: a ranked list agrees when its top K overlap enough, in any order', () => {
    expect(overlapAt([1, 2, 3, 4, 5], [5, 4, 3, 2, 1], 5)).toBe(100);
    expect(overlapAt([1, 2, 3, 9, 9], [1, 2, 3, 4, 5], 5)).toBe(60);
    expect(overlapAt([1, 2, 3, 4, 9], [1, 2, 3, 4, 5, 6], 4)).toBe(100);
    expect(overlapAt([], [], 3)).toBe(100);
    const s = spec({ path: '$.n', minPercent: 50, overlapAtK: 5, minOverlapPercent: 80 });
    const k = answersOf([{ n: [1, 2, 3, 4, 5] }, { n: [1, 2, 3, 4, 5] }]);
    const c = answersOf([{ n: [2, 1, 3, 4, 9] }, { n: [1, 2, 7, 8, 9] }]);
    expect(compareAnswer(s, c[0]!, k[0]!)).toEqual({ agrees: true, overlapPercent: 80 });
    expect(compareAnswer(s, c[1]!, k[1]!)).toEqual({ agrees: false, overlapPercent: 40 });
    const check = agreementCheck(s, c, k);
    expect(check).toMatchObject({ value: 50, passed: true });
    expect(check.detail).toMatch(/top-5 overlap 40%/);
  });

  it('another status disagrees; a request with no known answer is not counted', () => {
    const k = answersOf([{ n: 1 }, { n: 2 }]);
    const c = answersOf([{ n: 1 }, { n: 2 }, { n: 3 }]);
    c[1] = { ...c[1]!, status: 500 };
    expect(agreementCheck(spec({ minPercent: 50 }), c, k)).toMatchObject({ value: 50, passed: true });
  });

  it('no known-good answers yet: says so and passes', () => {
    const check = agreementCheck(spec({ minPercent: 95 }), answersOf([{ n: 1 }]), null);
    expect(check).toMatchObject({ name: 'agreementPercent', value: null, passed: true });
    expect(describeCheck(check)).toBe('agreementPercent: no known-good answers to compare with yet: these answers are recorded');
  });

  it('a request is matched by its method, path, body and headers, keys in any order', () => {
    expect(goldenKey(goldenSchema.parse({ method: 'POST', path: '/p', body: { a: 1, b: 2 } }))).toBe(
      goldenKey(goldenSchema.parse({ path: '/p', method: 'POST', body: { b: 2, a: 1 } })),
    );
  });

  it('the schema: minOverlapPercent needs overlapAtK; unknown keys refused', () => {
    expect(agreementSchema.safeParse({ minPercent: 90, minOverlapPercent: 80 }).success).toBe(false);
    expect(agreementSchema.safeParse({ minPercent: 90, extra: 1 }).success).toBe(false);
    expect(spec({ minPercent: 90 }).path).toBe('$');
  });
});
