import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { history, historyStatus } from '../../../lib/rollout/history.js';
import type { RolloutRecord } from '../../../lib/state/types.js';

const rolledBack = JSON.parse(readFileSync(join(import.meta.dirname, '../../fixtures/records/rolled-back.json'), 'utf8')) as RolloutRecord;
const record = (over: Partial<RolloutRecord>): RolloutRecord => ({
  ...rolledBack,
  status: 'succeeded',
  failure: null,
  rollback: { performed: false, restoredVersion: null, verified: false },
  ...over,
});

test('one row per rollout, newest first, with the failed check, its value and threshold', () => {
  const older = record({
    id: 'r-1',
    version: '1.2.0',
    previousVersion: '1.1.0',
    startedAt: '2025-12-31T00:00:00.000Z',
    finishedAt: '2025-12-31T00:02:00.000Z',
  });
  const rows = history([older, rolledBack]);
  expect(rows).toEqual([
    {
      id: 'r-20260101-0002',
      version: '1.3.0',
      previousVersion: '1.2.0',
      status: 'rolled_back',
      startedAt: '2026-01-01T00:00:00.000Z',
      durationMs: 70_000,
      failedPhase: 'verify-metrics',
      failedCheck: { name: 'memoryPercent', value: 93.2, threshold: 80, passed: false, unit: '%' },
      reason: 'verify-metrics gate failed: memoryPercent 93.2% > 80%',
    },
    expect.objectContaining({ id: 'r-1', status: 'succeeded', durationMs: 120_000, failedCheck: null, reason: null }),
  ]);
  expect(history([older, rolledBack], 1).map((r) => r.id)).toEqual(['r-20260101-0002']);
});

test('a rollback that failed or was not verified reads rollback_failed; unchanged reads succeeded; a running one has no duration', () => {
  expect(historyStatus(record({ status: 'failed', rollback: { performed: true, restoredVersion: '1.2.0', verified: false } }))).toBe(
    'rollback_failed',
  );
  expect(
    historyStatus(record({ status: 'failed', rollback: { performed: false, restoredVersion: null, verified: false, error: 'x' } })),
  ).toBe('rollback_failed');
  expect(historyStatus(record({ status: 'failed' }))).toBe('failed');
  expect(historyStatus(record({ status: 'unchanged' }))).toBe('succeeded');
  expect(historyStatus(record({ status: 'rejected' }))).toBe('rejected');
  expect(history([record({ status: 'running', finishedAt: null })])[0]).toMatchObject({ status: 'running', durationMs: null });
});
