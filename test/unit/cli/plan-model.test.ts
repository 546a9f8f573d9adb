import { modelLines } from '../../../cli/commands/plan-model.js';
import { resolvePlan } from '../../../lib/plan/plan.js';
import { manifestSchema } from '../../../lib/plan/schema.js';

const plan = (extra: Record<string, unknown>) =>
  resolvePlan(manifestSchema.parse({ name: 'svc', version: '1.0.0', target: { type: 'local', environment: 'e' }, ...extra }), {
    digest: 'ab'.repeat(32),
    release: { kind: 'dir', path: '/tmp/x' },
  });

describe('plan: the model checks', () => {
  it('lists each expect, the golden requests and the agreement rule', () => {
    const lines = modelLines(
      plan({
        smoke: [
          {
            method: 'POST',
            path: '/predict',
            expect: [
              { path: '$.neighbors[0]', equals: 1 },
              { path: '$.score', approx: 0.93, tolerance: 0.01 },
              { path: '$.neighbors', minItems: 3 },
            ],
          },
        ],
        golden: [{ method: 'POST', path: '/predict', body: { embedding: [0.9, 0.1] } }],
        agreement: { path: '$.neighbors', minPercent: 95, overlapAtK: 10, minOverlapPercent: 80 },
      }),
    );
    expect(lines).toEqual([
      '  expect POST /predict: $.neighbors[0] = 1, $.score ≈ 0.93 ± 0.01, $.neighbors has ≥ 3 items',
      'golden: POST /predict {"embedding":[0.9,0.1]}',
      'agreement: agreementPercent ≥ 95% of golden requests answer $.neighbors as the known-good did, a request agreeing when its top 10 overlap ≥ 80% (at each gate that sends smoke requests)',
    ]);
  });

  it('says there are none; agreement without golden requests is a manifest error', () => {
    expect(modelLines(plan({}))).toEqual(['golden: none']);
    expect(
      manifestSchema.safeParse({ name: 'svc', version: '1', target: { type: 'local', environment: 'e' }, agreement: { minPercent: 90 } })
        .success,
    ).toBe(false);
  });
});
