import { Progress } from '../../../cli/progress.js';
import type { EngineEvent } from '../../../cli/engine.js';

/** Progress shows a caught failure once, as what it means, and never a ✓ for the same step. */
const at = 0;
const plan = {
  name: 'skin',
  version: '1.3.0',
  environment: 'skin-prod',
  target: { type: 'sagemaker' },
  phases: [{ name: 'only', changes: {} }],
};
function run(events: EngineEvent[]): string[] {
  const lines: string[] = [];
  const p = new Progress((l) => lines.push(l));
  for (const e of events) p.on(e);
  return lines;
}
const validated: EngineEvent[] = [
  { type: 'StateEntered', state: 'ValidateBundle', stateType: 'Task', input: {}, at },
  { type: 'StateExited', state: 'ValidateBundle', stateType: 'Task', output: { plan }, at },
];

describe('Progress', () => {
  it('a snapshot that failed and was caught: "failed: …", then no "✓ snapshot"', () => {
    const cause = 'Could not load credentials from any providers';
    expect(
      run([
        ...validated,
        { type: 'StateEntered', state: 'TakeSnapshot', stateType: 'Task', input: { plan }, at },
        { type: 'StateFailed', state: 'TakeSnapshot', stateType: 'Task', error: 'CredentialsProviderError', cause, at },
        { type: 'StateCaught', state: 'TakeSnapshot', at },
        // The caught error goes on as the state's output: it is not a snapshot.
        { type: 'StateExited', state: 'TakeSnapshot', stateType: 'Task', output: { plan, error: { Error: 'x', Cause: cause } }, at },
      ]),
    ).toEqual(['✓ bundle skin 1.3.0 is valid (1 phases, sagemaker environment skin-prod)', `✗ failed: cannot take the snapshot: ${cause}`]);
  });

  it('a failure that is retried is shown with its retry, and the success after it', () => {
    expect(
      run([
        ...validated,
        { type: 'StateEntered', state: 'AcquireLock', stateType: 'Task', input: { plan }, at },
        { type: 'StateFailed', state: 'AcquireLock', stateType: 'Task', error: 'TransientError', cause: 'busy', at },
        { type: 'StateRetried', state: 'AcquireLock', attempt: 1, at },
        { type: 'StateExited', state: 'AcquireLock', stateType: 'Task', output: { plan }, at },
      ]).slice(1),
    ).toEqual(['  ↻ AcquireLock: busy; retrying (attempt 1)', '✓ locked skin-prod']);
  });

  it('a manual rollback names its environment when it locks it', () => {
    expect(
      run([
        { type: 'StateEntered', state: 'PrepareRollback', stateType: 'Task', input: {}, at },
        { type: 'StateExited', state: 'PrepareRollback', stateType: 'Task', output: { plan }, at },
        { type: 'StateEntered', state: 'AcquireLock', stateType: 'Task', input: { plan }, at },
        { type: 'StateExited', state: 'AcquireLock', stateType: 'Task', output: { plan }, at },
      ]),
    ).toEqual(['✓ locked skin-prod']);
  });
});
