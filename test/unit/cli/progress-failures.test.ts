import { Progress } from '../../../cli/progress.js';
import type { EngineEvent } from '../../../cli/engine.js';

/**
 * Issue 14, case 11: progress contradicted itself (`✓ locked` after `✗ AcquireLock`, `healthy`
 * after a process that exited, `✓ … is the new known-good` after `✗ RecordKnownGood`). One line
 * per state outcome, and never a ✓ for a state that failed.
 */
const at = 0;
const plan = { name: 'app', version: '3.0.0', environment: 'env', target: { type: 'local' }, phases: [{ name: 'only', changes: {} }] };
function run(events: EngineEvent[]): string[] {
  const lines: string[] = [];
  const p = new Progress((l) => lines.push(l));
  for (const e of events) p.on(e);
  return lines;
}
/** A task that failed and whose failure was caught: its exit carries the caught error, not a result. */
const caught = (state: string, error: string, cause: string, input: Record<string, unknown> = { plan }): EngineEvent[] => [
  { type: 'StateEntered', state, stateType: 'Task', input, at },
  { type: 'StateFailed', state, stateType: 'Task', error, cause, at },
  { type: 'StateCaught', state, at },
  { type: 'StateExited', state, stateType: 'Task', output: { ...input, error: { Error: error, Cause: cause } }, at },
];
const validated: EngineEvent[] = [
  { type: 'StateEntered', state: 'ValidateBundle', stateType: 'Task', input: {}, at },
  { type: 'StateExited', state: 'ValidateBundle', stateType: 'Task', output: { plan }, at },
];
const noTick = (lines: string[]) => lines.slice(1).filter((l) => l.includes('✓'));

it('a lock that could not be taken: one ✗ line, no "✓ locked"', () => {
  const lines = run([...validated, ...caught('AcquireLock', 'Error', 'EACCES: permission denied, open lock.json')]);
  expect(lines.slice(1)).toEqual(['✗ failed: cannot take the lock: EACCES: permission denied, open lock.json']);
});

it('a process that exited while starting: reported as exited, never "healthy"', () => {
  const input = { plan, cursor: { index: 0 }, probe: { stable: true, detail: 'HTTP 200 from GET /health' } };
  const lines = run([
    ...validated,
    { type: 'StateEntered', state: 'ApplyPhase', stateType: 'Task', input: { plan, cursor: { index: 0 } }, at },
    { type: 'StateExited', state: 'ApplyPhase', stateType: 'Task', output: { plan, cursor: { index: 0 } }, at },
    ...caught('CheckStable', 'PhaseFailed', 'only: the process exited (last log line: boom)', input),
  ]);
  expect(lines.slice(2)).toEqual(['[1/1 only] ✗ failed: only: the process exited (last log line: boom)']);
  expect(lines.join('\n')).not.toMatch(/healthy/);
});

it('a known-good that could not be recorded: "✗ RecordKnownGood", never "✓ … is the new known-good"', () => {
  const lines = run([...validated, ...caught('RecordKnownGood', 'Error', 'ENOSPC: no space left on device, write')]);
  expect(lines.slice(1)).toEqual(['  ✗ RecordKnownGood: ENOSPC: no space left on device, write']);
  expect(noTick(lines)).toEqual([]);
});

it('a rollback whose record could not be written still says it restored, as it did', () => {
  const lines = run([
    ...validated,
    { type: 'StateEntered', state: 'VerifyRestore', stateType: 'Task', input: { plan }, at },
    {
      type: 'StateExited',
      state: 'VerifyRestore',
      stateType: 'Task',
      output: {
        plan,
        restoreProbe: {
          stable: true,
          detail: 'HTTP 200 from GET /health in 3 ms',
          unrecorded: 'could not write the rollout record (rollback verified): ENOSPC',
        },
      },
      at,
    },
  ]);
  expect(lines.slice(1)).toEqual([
    '✓ restored and healthy: HTTP 200 from GET /health in 3 ms',
    '! could not write the rollout record (rollback verified): ENOSPC',
  ]);
});
