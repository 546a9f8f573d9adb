import { FailName } from '../../../lib/errors.js';
import { hostname } from 'node:os';
import { runStateMachine, type RunResult } from '../../../cli/engine.js';
import type { Runtime } from '../../../lib/runtime.js';
import { makeBundle } from '../../support/bundles.js';
import { tempRuntime } from '../../support/local-runtime.js';

/** statemachines/rollback.asl.yml (manual rollback), and the lock both machines share. */
const ENV = 'manual';
let rt: Runtime;
let home: string;
let cleanup: (envs: string[]) => Promise<void>;
let n = 0;
const states = (r: RunResult) => r.transitions.map((t) => t.state);
const deploy = async (version: string) =>
  runStateMachine({
    name: 'rollout',
    input: { rolloutId: `d${++n}`, bundle: { path: await makeBundle(home, { version, environment: ENV }) } },
    waitMs: 20,
    retryMs: 5,
  });
const rollback = () => runStateMachine({ name: 'rollback', input: { rolloutId: `b${++n}`, environment: ENV }, waitMs: 20, retryMs: 5 });

beforeAll(async () => {
  ({ rt, home, cleanup } = await tempRuntime());
});
afterAll(async () => cleanup([ENV]));

describe('rollback.asl.yml and the environment lock', () => {
  it('with a single known-good version there is nothing to roll back to: rejected', async () => {
    expect((await deploy('1.0.0')).status).toBe('SUCCEEDED');
    const r = await rollback();
    expect(r.error).toBe(FailName.Rejected);
    expect(states(r)).toEqual(['PrepareRollback', 'NotifyRejected', 'Rejected']);
    expect(r.cause).toBe('environment manual has no earlier known-good version to roll back to (only 1.0.0)');
  });

  it('restores the previous known-good version, verifies it, and makes it the known-good', async () => {
    expect((await deploy('2.0.0')).status).toBe('SUCCEEDED');
    const r = await rollback();
    expect([r.status, r.error, r.cause]).toEqual(['SUCCEEDED', null, null]);
    // Polling repeats WaitForRestore → VerifyRestore → RestoreHealthy until the process answers.
    expect(states(r).slice(0, 6)).toEqual([
      'PrepareRollback',
      'AcquireLock',
      'RestoreSnapshot',
      'WaitForRestore',
      'VerifyRestore',
      'RestoreHealthy',
    ]);
    expect(states(r).slice(-5)).toEqual(['RecordRollback', 'ReleaseLock', 'Outcome', 'NotifyRolledBack', 'RolledBack']);
    expect((await rt.state.getServing(ENV))?.version).toBe('1.0.0');
    const kg = await rt.state.getKnownGood(ENV);
    expect(kg?.current.version).toBe('1.0.0');
    expect(kg?.previous.map((r) => r.version)).toEqual([]);
    expect(await rt.locks.get(ENV)).toBeNull();
  });

  it('a rollout of an environment whose lock another rollout holds is rejected, naming the holder', async () => {
    const since = new Date().toISOString();
    await rt.locks.acquire({
      environment: ENV,
      rolloutId: 'other-rollout',
      version: '9.9.9',
      since,
      expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      owner: `${hostname()}:${process.pid}`,
    });
    const before = await rt.state.getServing(ENV);
    const r = await deploy('3.0.0');
    expect(r.error).toBe(FailName.Rejected);
    expect(states(r)).toEqual(['ValidateBundle', 'AcquireLock', 'NotifyRejected', 'Rejected']);
    expect(r.cause).toContain(`locked by the rollout of version 9.9.9 (other-rollout) since ${since}`);
    expect(await rt.state.getServing(ENV)).toEqual(before);
    // The holder's lock is untouched.
    expect((await rt.locks.get(ENV))?.rolloutId).toBe('other-rollout');
  });

  it('a lock whose lease ran out is taken over', async () => {
    await rt.locks.clear(ENV);
    await rt.locks.acquire({
      environment: ENV,
      rolloutId: 'crashed-rollout',
      version: '9.9.8',
      since: new Date(Date.now() - 7_200_000).toISOString(),
      expiresAt: new Date(Date.now() - 3_600_000).toISOString(),
      owner: `${hostname()}:${process.pid}`,
    });
    const r = await deploy('3.0.1');
    expect(r.status).toBe('SUCCEEDED');
    expect(await rt.locks.get(ENV)).toBeNull();
  });
});
