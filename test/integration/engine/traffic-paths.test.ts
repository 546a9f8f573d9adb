import { DeadlineExceededError, FailName } from '../../../lib/errors.js';
import { runStateMachine, type RunResult } from '../../../cli/engine.js';
import { TASK_FUNCTIONS } from '../../../cli/handlers.js';
import type { Runtime } from '../../../lib/runtime.js';
import { makeBundle } from '../../support/bundles.js';
import { tempRuntime } from '../../support/local-runtime.js';

/**
 * statemachines/rollout.asl.yml's traffic steps, path by path, against real processes: the steps
 * are states (StartSteps → ShiftTraffic → SampleGate … → NextStep → MoreSteps), not a TypeScript loop.
 */
const ENV = 'steps';
let rt: Runtime;
let home: string;
let cleanup: (envs: string[]) => Promise<void>;
let n = 0;

const states = (r: RunResult) => r.transitions.map((t) => t.state);
/** The states of the phase's steps, from StartSteps to the next phase or the rollback (windows of 0 s: one sample each). */
const stepStates = (r: RunResult) => {
  const s = states(r);
  const from = s.indexOf('StartSteps');
  const to = s.findIndex((x, i) => i > from && (x === 'NextPhase' || x === 'RestoreSnapshot'));
  return s.slice(from, to + 1);
};
const deploy = async (version: string, extra: Record<string, unknown>, functions?: Parameters<typeof runStateMachine>[0]['functions']) =>
  runStateMachine({
    name: 'rollout',
    input: { rolloutId: `s${++n}`, bundle: { path: await makeBundle(home, { version, environment: ENV, ...extra }) } },
    waitMs: 20,
    retryMs: 5,
    functions,
  });

beforeAll(async () => {
  ({ rt, home, cleanup } = await tempRuntime());
  const first = await deploy('1.0.0', { phases: [{ name: 'only', deadlineSeconds: 10 }] });
  expect(first.status).toBe('SUCCEEDED');
});
afterAll(async () => cleanup([ENV]));

describe('rollout.asl.yml traffic steps', () => {
  it('all at once: one step at 100', async () => {
    const r = await deploy('1.1.0', { phases: [{ name: 'only', deadlineSeconds: 10 }] });
    expect(r.status).toBe('SUCCEEDED');
    expect(stepStates(r)).toEqual([
      'StartSteps',
      'ShiftTraffic',
      'SampleGate',
      'BakeDone',
      'NeedsApproval',
      'NextStep',
      'MoreSteps',
      'NextPhase',
    ]);
  });

  it('every step passed: each step shifted, measured, then the next, up to 100', async () => {
    const r = await deploy('2.0.0', {
      phases: [{ name: 'only', deadlineSeconds: 10 }],
      traffic: { strategy: 'linear', stepPercent: 40, stepSeconds: 0 },
    });
    expect(r.status).toBe('SUCCEEDED');
    const step = ['ShiftTraffic', 'SampleGate', 'BakeDone', 'NeedsApproval', 'NextStep', 'MoreSteps'];
    expect(stepStates(r)).toEqual(['StartSteps', ...step, ...step, ...step, 'NextPhase']);
    const record = await rt.state.getRollout(ENV, `s${n}`);
    expect(record?.phases[0]?.traffic?.map((t) => [t.percent, t.status])).toEqual([
      [40, 'passed'],
      [80, 'passed'],
      [100, 'passed'],
    ]);
  });

  it('a step failing: its gate fails, the rollout rolls back to the known-good at once', async () => {
    const r = await deploy('3.0.0', {
      phases: [{ name: 'only', deadlineSeconds: 10, settings: { PREDICT_STATUS: '500' } }],
      traffic: { strategy: 'canary', steps: [10, 50], stepSeconds: 0 },
    });
    expect(r.error).toBe(FailName.RolledBack);
    expect(r.cause).toBe('only gate failed at 10 % traffic: smoke POST /predict 500 (expected 200)');
    expect(stepStates(r)).toEqual(['StartSteps', 'ShiftTraffic', 'SampleGate', 'RestoreSnapshot']);
    expect(states(r).slice(-3)).toEqual(['Outcome', 'NotifyRolledBack', 'RolledBack']);
    expect((await rt.state.getServing(ENV))?.version).toBe('2.0.0');
  });

  it('a deadline during a step (a shift that does not complete in time) rolls back', async () => {
    let calls = 0;
    const real = TASK_FUNCTIONS.shiftTraffic!;
    const r = await deploy(
      '4.0.0',
      { phases: [{ name: 'only', deadlineSeconds: 10 }], traffic: { strategy: 'canary', steps: [25], stepSeconds: 0 } },
      {
        shiftTraffic: async (event, ctx) => {
          if (++calls === 2) throw new DeadlineExceededError('only: the shift to 100 % did not complete within 10 s');
          return real(event, ctx);
        },
      },
    );
    expect(r.error).toBe(FailName.RolledBack);
    expect(stepStates(r)).toEqual([
      'StartSteps',
      'ShiftTraffic',
      'SampleGate',
      'BakeDone',
      'NeedsApproval',
      'NextStep',
      'MoreSteps',
      'ShiftTraffic',
      'RestoreSnapshot',
    ]);
    expect(r.cause).toBe('only: the shift to 100 % did not complete within 10 s');
    expect((await rt.state.getServing(ENV))?.version).toBe('2.0.0');
  });
});
