import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../../../lib/clock.js';
import type { NotificationMessage } from '../../../lib/notify/types.js';
import type { Plan } from '../../../lib/plan/plan.js';
import { interruptRollout } from '../../../lib/rollout/interrupt.js';
import { prepareRollback } from '../../../lib/rollout/manual-rollback.js';
import { newRecord } from '../../../lib/rollout/record.js';
import type { Runtime } from '../../../lib/runtime.js';
import { LocalLockStore } from '../../../lib/state/local-lock.js';
import { LocalControlStore } from '../../../lib/state/control-files.js';
import { LocalStateStore } from '../../../lib/state/local-store.js';
import type { Release } from '../../../lib/state/types.js';

const ENV = 'skin-dev';
const clock: Clock = { now: () => Date.parse('2026-01-01T00:10:00.000Z') };
let home: string;
let rt: Runtime;
let sent: NotificationMessage[];

const plan = (version: string) =>
  ({
    name: 'skin',
    version,
    digest: `d-${version}`,
    environment: ENV,
    release: { kind: 'dir', path: `/releases/${version}` },
    target: { type: 'local', environment: ENV },
    phases: [
      { name: 'minimal', index: 0 },
      { name: 'faiss-scin', index: 1 },
    ],
  }) as unknown as Plan;
const release = (version: string): Release => ({
  name: 'skin',
  version,
  digest: `d-${version}`,
  source: { kind: 'dir', path: `/releases/${version}` },
  settings: {},
  plan: plan(version),
});
const serve = (version: string, phase: string | null) =>
  rt.state.putServing({
    environment: ENV,
    targetType: 'local',
    version,
    digest: `d-${version}`,
    url: 'http://127.0.0.1:1',
    phase,
    updatedAt: '2026-01-01T00:00:00.000Z',
  });

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'ml-rollout-interrupt-'));
  sent = [];
  rt = {
    clock,
    home,
    state: new LocalStateStore(home),
    locks: new LocalLockStore(home, clock),
    control: new LocalControlStore(home),
    lockOwner: () => 'test:1',
    notifier: { publish: async (m) => void sent.push(m) },
    target: () => {
      throw new Error('no target in this test');
    },
  };
  await rt.state.putKnownGood({
    environment: ENV,
    current: release('1.2.1'),
    previous: [release('1.2.0')],
    recordedAt: '2026-01-01T00:00:00.000Z',
  });
});
afterEach(() => rm(home, { recursive: true, force: true }));

describe('interruptRollout', () => {
  it('records the phase reached, releases its lock, and sends one notification naming the unverified version and the known-good', async () => {
    const record = newRecord('r1', plan('1.2.2'), '2026-01-01T00:00:00.000Z');
    record.previousVersion = '1.2.1';
    record.phases[0]!.status = 'passed';
    record.phases[1]!.status = 'running';
    await rt.state.putRollout(record);
    await rt.locks.acquire({
      environment: ENV,
      rolloutId: 'r1',
      version: '1.2.2',
      since: '',
      expiresAt: '2026-01-02T00:00:00.000Z',
      owner: 'elsewhere:1',
    });
    await serve('1.2.2', 'faiss-scin');

    const i = await interruptRollout(rt, ENV, 'r1', 'its engine process 42 is gone');
    const message = 'interrupted in faiss-scin: its engine process 42 is gone; 1.2.2 serves unverified (known-good: 1.2.1)';
    expect(i).toMatchObject({ phase: 'faiss-scin', serving: '1.2.2', knownGood: '1.2.1', lockReleased: true });
    const stored = await rt.state.getRollout(ENV, 'r1');
    expect(stored).toMatchObject({
      status: 'interrupted',
      finishedAt: '2026-01-01T00:10:00.000Z',
      failure: { phase: 'faiss-scin', error: 'Interrupted', message },
    });
    expect(stored?.phases.map((p) => p.status)).toEqual(['passed', 'failed']);
    expect(await rt.locks.get(ENV)).toBeNull();
    expect(sent).toHaveLength(1);
    expect(sent[0]?.subject).toBe('[ml-rollout] skin-dev: skin 1.2.2 INTERRUPTED (faiss-scin)');
    expect(sent[0]?.message).toMatchObject({
      outcome: 'interrupted',
      version: '1.2.2',
      previousVersion: '1.2.1',
      reason: { error: 'Interrupted', message },
      durationMs: 600_000,
    });
  });

  it('leaves a rollout that has already ended alone: no second notification', async () => {
    const record = newRecord('r2', plan('1.2.2'), '2026-01-01T00:00:00.000Z');
    record.status = 'rolled_back';
    await rt.state.putRollout(record);
    expect(await interruptRollout(rt, ENV, 'r2', 'gone')).toBeNull();
    expect(sent).toEqual([]);
  });
});

describe('prepareRollback', () => {
  it('goes to the known-good when what serves is not the known-good (an interrupted rollout)', async () => {
    await serve('1.2.2', 'faiss-scin');
    const s = await prepareRollback(rt, { rolloutId: 'b1', environment: ENV });
    expect(s.snapshot?.previous?.version).toBe('1.2.1');
  });

  it('goes to the one before it when the known-good serves', async () => {
    await serve('1.2.1', null);
    const s = await prepareRollback(rt, { rolloutId: 'b2', environment: ENV });
    expect(s.snapshot?.previous?.version).toBe('1.2.0');
  });
});
