import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FailName } from '../../../lib/errors.js';
import { runStateMachine, type RunResult } from '../../../cli/engine.js';
import type { NotificationMessage } from '../../../lib/notify/types.js';
import type { Runtime } from '../../../lib/runtime.js';
import type { StateStore } from '../../../lib/state/types.js';
import { makeBundle, type TestPhase } from '../../support/bundles.js';
import { tempRuntime } from '../../support/local-runtime.js';

/**
 * Issue 14, cases 1 and 3, through the state machine with the real local target: a known-good.json
 * of the wrong shape, and state writes that fail (a full disk, by injection). In every case the
 * known-good version ends up serving, verified; a healthy environment is never stopped.
 */
const ENV = 'faults';
let rt: Runtime;
let home: string;
let cleanup: (envs: string[]) => Promise<void>;
let store: StateStore;
let n = 0;
const states = (r: RunResult) => r.transitions.map((t) => t.state);
const phases = (settings: Record<string, string> = {}): TestPhase[] => [
  { name: 'only', settings, deadlineSeconds: 15, gate: { errorRatePercent: 1 } },
];
const deploy = async (version: string, settings: Record<string, string> = {}) =>
  runStateMachine({
    name: 'rollout',
    input: { rolloutId: `f${++n}`, bundle: { path: await makeBundle(home, { version, environment: ENV, phases: phases(settings) }) } },
    waitMs: 20,
    retryMs: 5,
  });
const envDir = () => join(home, 'envs', ENV);
/** What the service on the serving URL says it is. */
async function answering(): Promise<string | null> {
  const serving = await store.getServing(ENV);
  if (!serving?.url) return null;
  const res = await fetch(`${serving.url}/predict`, { method: 'POST', body: '{}' }).catch(() => null);
  return res ? ((await res.json()) as { version: string }).version : null;
}
const enospc = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
const sent: NotificationMessage[] = [];

beforeAll(async () => {
  ({ rt, home, cleanup } = await tempRuntime());
  store = rt.state;
  rt.notifier = { publish: async (m) => void sent.push(m) };
  expect((await deploy('1.0.0')).status).toBe('SUCCEEDED');
  expect((await deploy('2.0.0')).status).toBe('SUCCEEDED');
}, 120_000);
afterEach(() => {
  rt.state = store;
});
afterAll(async () => cleanup([ENV]));

describe('a known-good.json of the wrong shape (case 1)', () => {
  it('a failing rollout rolls back to what served (2.0.0), verified: the environment is not stopped', async () => {
    await writeFile(join(envDir(), 'known-good.json'), '[1,2,3]');
    const r = await deploy('3.0.0', { PREDICT_STATUS: '500' });
    expect(r.error).toBe(FailName.RolledBack);
    expect(states(r)).toContain('VerifyRestore');
    const snapshot = r.transitions.find((t) => t.state === 'TakeSnapshot');
    expect(snapshot).toBeDefined();
    expect(await answering()).toBe('2.0.0');
    expect(await store.getServing(ENV)).toMatchObject({ version: '2.0.0', phase: null });
  });

  it('a passing rollout rewrites it whole: 3.0.0 known-good, 2.0.0 before it', async () => {
    await writeFile(join(envDir(), 'known-good.json'), '[1,2,3]');
    const r = await deploy('3.0.0');
    expect([r.status, r.error]).toEqual(['SUCCEEDED', null]);
    const kg = await store.getKnownGood(ENV);
    expect(kg?.current.version).toBe('3.0.0');
    expect(kg?.previous.map((p) => p.version)).toEqual(['2.0.0']);
    expect(await answering()).toBe('3.0.0');
  });
});

describe('state writes that fail (case 3)', () => {
  it('a full disk from the start: the rollout fails before any change and gives its lock back', async () => {
    rt.state = Object.assign(Object.create(store) as StateStore, { putRollout: async () => Promise.reject(enospc()) });
    const r = await deploy('4.0.0');
    expect([r.error, r.cause]).toEqual([FailName.Failed, 'ENOSPC: no space left on device, write']);
    expect(states(r)).toEqual(['ValidateBundle', 'AcquireLock', 'NotifyFailed', 'Failed']);
    expect(await rt.locks.get(ENV)).toBeNull();
    expect(await answering()).toBe('3.0.0');
  });

  it('recording the known-good and the record fail once gates passed: the rollback still restores 3.0.0, verified, and the notification goes out', async () => {
    // The disk fills up as the known-good is written: from then on no record can be written.
    let full = false;
    rt.state = Object.assign(Object.create(store) as StateStore, {
      putKnownGood: async () => {
        full = true;
        throw enospc();
      },
      putRollout: async (record: Parameters<StateStore['putRollout']>[0]) => (full ? Promise.reject(enospc()) : store.putRollout(record)),
    });
    const before = sent.length;
    const r = await deploy('4.0.0');
    expect(r.error).toBe(FailName.RolledBack);
    const seen = states(r);
    expect(seen).toEqual(expect.arrayContaining(['RecordKnownGood', 'RestoreSnapshot', 'VerifyRestore', 'NotifyRolledBack']));
    expect(seen).not.toContain('NotifyRollbackFailed');
    expect(await answering()).toBe('3.0.0');
    expect(sent.slice(before).map((m) => m.attributes.status)).toEqual(['rolled_back']);
    expect((await readdir(envDir())).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    rt.state = store;
    // The known-good on record is still 3.0.0: nothing half-written.
    expect((await store.getKnownGood(ENV))?.current.version).toBe('3.0.0');
  });

  it('a rollout record of the wrong shape during the rollout does not stop the rollback', async () => {
    // Every read of a record finds garbage (as if written over between two tasks).
    rt.state = Object.assign(Object.create(store) as StateStore, {
      getRollout: async (env: string, id: string) => {
        await writeFile(join(envDir(), 'rollouts', `${id}.json`), 'garbage');
        return store.getRollout(env, id);
      },
    });
    const r = await deploy('5.0.0', { PREDICT_STATUS: '500' });
    expect(r.error).toBe(FailName.RolledBack);
    expect(await answering()).toBe('3.0.0');
    rt.state = store;
    const record = JSON.parse(await readFile(join(envDir(), 'rollouts', `f${n}.json`), 'utf8')) as { status: string };
    expect(record.status).toBe('rolled_back');
  });
});
