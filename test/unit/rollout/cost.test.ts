import { costOfRecordUsage, costOfTransitions, describeCost } from '../../../lib/rollout/cost.js';
import { PRICES } from '../../../lib/plan/prices.js';

test('each entered state is a transition; each Task a Lambda invocation lasting until the next state', () => {
  const c = costOfTransitions([
    { state: 'ValidateBundle', type: 'Task', at: 0 },
    { state: 'WaitForStable', type: 'Wait', at: 2_000 },
    { state: 'CheckStable', type: 'Task', at: 12_000 },
    { state: 'Succeeded', type: 'Succeed', at: 13_000 },
  ]);
  // 3 s of tasks at 512 MB = 1.5 GB-s.
  expect(c).toMatchObject({ transitions: 4, lambdaRequests: 2, lambdaGbSeconds: 1.5, basis: 'execution' });
  expect(c.stepFunctionsUsd).toBeCloseTo(4 * 0.000025, 12);
  expect(c.lambdaUsd).toBeCloseTo(1.5 * PRICES.lambdaPerGbSecond + 2 * 0.0000002, 9);
  expect(c.totalUsd).toBeCloseTo(c.stepFunctionsUsd + c.lambdaUsd, 9);
  expect(describeCost(c)).toBe('≈ $0.00012 on AWS (4 state transitions, 1.5 Lambda GB-s)');
});

test('the last task runs until the end given; ISO times are read too', () => {
  const c = costOfTransitions([{ state: 'Notify', type: 'Task', at: '2026-01-01T00:00:00.000Z' }], Date.parse('2026-01-01T00:00:01.000Z'));
  expect(c.lambdaGbSeconds).toBe(0.5);
});

test('from a record: the states every rollout, phase and sample enter', () => {
  expect(costOfRecordUsage({ phases: 2, samples: 5, phaseSeconds: 30 })).toMatchObject({
    transitions: 37,
    lambdaRequests: 15,
    basis: 'record',
  });
});
