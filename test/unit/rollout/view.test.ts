import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { progressOf, stepsOf, waitingSince } from '../../../lib/rollout/view.js';
import type { RolloutRecord } from '../../../lib/state/types.js';

const base = JSON.parse(readFileSync(join(import.meta.dirname, '../../fixtures/records/rolled-back.json'), 'utf8')) as RolloutRecord;
const running = (extra: Record<string, unknown> = {}, phase: Record<string, unknown> = {}): RolloutRecord =>
  ({
    ...base,
    status: 'running',
    finishedAt: null,
    phases: [base.phases[0], { ...base.phases[1], status: 'running', finishedAt: undefined, ...phase }],
    ...extra,
  }) as RolloutRecord;

test('the running phase as n/N with its latest checks', () => {
  expect(progressOf(running())).toMatchObject({
    id: 'r-20260101-0002',
    phaseNumber: 2,
    phaseCount: 2,
    phase: 'verify-metrics',
    step: null,
    waitingSince: null,
    checks: [{ name: 'memoryPercent', value: 93.2, threshold: 80 }],
  });
});

test('traffic steps (the running one is current) and a pending approval, as the record holds them', () => {
  const traffic = [
    { percent: 10, status: 'passed', checks: [] },
    { percent: 50, status: 'running', checks: [] },
    { percent: 100, status: 'skipped', checks: [] },
  ];
  expect(progressOf(running({}, { traffic })).step).toEqual({ number: 2, count: 3, weight: 50 });
  expect(stepsOf(base.phases[1] as never)).toEqual([]);
  const approval = { phase: 'faiss-scin', since: '2026-01-01T00:00:30.000Z', expiresAt: '2026-01-01T01:00:30.000Z' };
  expect(waitingSince(running({ approval }))).toBe('2026-01-01T00:00:30.000Z');
  expect(progressOf(running({ approval: { ...approval, phase: base.phases[0]?.name ?? '' } })).phaseNumber).toBe(1);
  expect(waitingSince(running({ approval: { ...approval, approvedBy: 'me@host', approvedAt: '2026-01-01T00:01:00.000Z' } }))).toBeNull();
  expect(waitingSince(running({}))).toBeNull();
});

test('a failed phase while the record still runs: that phase, rolling back', () => {
  const r = running({}, { status: 'failed' });
  expect(progressOf(r)).toMatchObject({ phaseNumber: 2, phase: 'verify-metrics', rollingBack: true });
  expect(progressOf(running({ failure: null, rollback: { performed: false, restoredVersion: null, verified: false } })).rollingBack).toBe(
    false,
  );
});
