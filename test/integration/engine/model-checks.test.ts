import { FailName } from '../../../lib/errors.js';
import { runStateMachine, type RunResult } from '../../../cli/engine.js';
import type { Runtime } from '../../../lib/runtime.js';
import { fourPhases, makeBundle } from '../../support/bundles.js';
import { tempRuntime } from '../../support/local-runtime.js';

/**
 * The model's checks through statemachines/rollout.asl.yml with real processes: golden requests
 * answered like the known-good's pass, other neighbours fail agreementPercent and roll back, a
 * failing expect names its path, and a first rollout records its answers.
 */
const ENV = 'model';
let rt: Runtime;
let home: string;
let cleanup: (envs: string[]) => Promise<void>;
let n = 0;

const golden = [
  { method: 'POST', path: '/predict', body: { embedding: [0.9, 0.1, 0.3] } },
  { method: 'POST', path: '/predict', body: { embedding: [0.2, 0.4, 0.6] } },
];
const agreement = { path: '$.neighbors', minPercent: 95 };
const run = (bundle: string) =>
  runStateMachine({ name: 'rollout', input: { rolloutId: `m${++n}`, bundle: { path: bundle } }, waitMs: 20, retryMs: 5 });
const states = (r: RunResult) => r.transitions.map((t) => t.state);
const record = () => rt.state.getRollout(ENV, `m${n}`);
const agreementOf = async () => (await record())?.phases.flatMap((p) => p.checks.filter((c) => c.name === 'agreementPercent'));

beforeAll(async () => {
  ({ rt, home, cleanup } = await tempRuntime());
});
afterAll(async () => cleanup([ENV]));

describe('model checks in rollout.asl.yml', () => {
  it('a first rollout: agreement says there is nothing to compare with and passes; the answers are recorded', async () => {
    const bundle = await makeBundle(home, { version: '1.0.0', environment: ENV, golden, agreement });
    const r = await run(bundle);
    expect(r.status).toBe('SUCCEEDED');
    const checks = await agreementOf();
    // Three gates send smoke requests (not minimal's).
    expect(checks).toHaveLength(3);
    for (const c of checks ?? [])
      expect(c).toMatchObject({ value: null, passed: true, detail: expect.stringMatching(/no known-good answers/) });
    const kg = await rt.state.getKnownGood(ENV);
    const read = await rt.answers!.get(ENV, kg!.current.digest);
    expect(read && 'answers' in read ? Object.keys(read.answers.phases) : read).toEqual([
      'ml-dependencies',
      'faiss-scin',
      'verify-metrics',
    ]);
    const answers = read && 'answers' in read ? read.answers.phases['faiss-scin'] : [];
    expect(answers?.map((a) => (a.answer as { neighbors: number[] }).neighbors)).toEqual([
      [10, 11, 12, 13, 14],
      [3, 4, 5, 6, 7],
    ]);
  });

  it('a version that answers the golden requests like the known-good passes with 100 %', async () => {
    const r = await run(await makeBundle(home, { version: '1.1.0', environment: ENV, golden, agreement }));
    expect(r.status).toBe('SUCCEEDED');
    const checks = await agreementOf();
    expect(checks?.map((c) => [c.value, c.passed])).toEqual([
      [100, true],
      [100, true],
      [100, true],
    ]);
    expect((await rt.state.getKnownGood(ENV))?.current.version).toBe('1.1.0');
  });

  it('a version that answers 200 with other neighbours fails agreementPercent, naming its value, and rolls back', async () => {
    const phases = fourPhases({ 2: { settings: { NEIGHBOR_SHIFT: '3' } } });
    const r = await run(await makeBundle(home, { version: '1.2.0', environment: ENV, golden, agreement, phases }));
    expect(r.error).toBe(FailName.RolledBack);
    const s = states(r);
    expect(s.filter((x) => x === 'SampleGate').length).toBe(3);
    expect(s.slice(s.indexOf('RestoreSnapshot'), s.indexOf('RestoreSnapshot') + 4)).toEqual([
      'RestoreSnapshot',
      'WaitForRestore',
      'VerifyRestore',
      'RestoreHealthy',
    ]);
    expect(r.cause).toMatch(
      /faiss-scin gate failed: agreementPercent 0% < 95% \(0\/2 agree; first disagreeing POST \/predict \{"embedding":\[0\.9,0\.1,0\.3\]\}: answered \[13,14,15,16,17\], the known-good \[10,11,12,13,14\]\)/,
    );
    const rec = await record();
    expect(rec?.failure?.check).toMatchObject({ name: 'agreementPercent', value: 0, threshold: 95 });
    expect(rec?.rollback).toEqual({ performed: true, restoredVersion: '1.1.0', verified: true });
    expect((await rt.state.getServing(ENV))?.version).toBe('1.1.0');
    expect((await rt.state.getKnownGood(ENV))?.current.version).toBe('1.1.0');
  });

  it('an expect that fails names the request and its path', async () => {
    const smoke = [
      {
        method: 'POST',
        path: '/predict',
        body: { embedding: [0.1, 0.2] },
        expect: [
          { path: '$.neighbors', minItems: 3 },
          { path: '$.score', approx: 0.93, tolerance: 0.01 },
          { path: '$.neighbors[0]', equals: 1 },
        ],
      },
    ];
    const r = await run(await makeBundle(home, { version: '1.3.0', environment: ENV, smoke }));
    expect(r.error).toBe(FailName.RolledBack);
    expect(r.cause).toMatch(/ml-dependencies gate failed: expect POST \/predict \$\.neighbors\[0\] 2 \(expected 1\)/);
    const checks = (await record())?.phases[1]?.checks.filter((c) => c.name.startsWith('expect '));
    expect(checks?.map((c) => [c.name, c.passed])).toEqual([
      ['expect POST /predict $.neighbors', true],
      ['expect POST /predict $.score', true],
      ['expect POST /predict $.neighbors[0]', false],
    ]);
    expect((await rt.state.getServing(ENV))?.version).toBe('1.1.0');
  });
});
