import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalRuntime, type Runtime } from '../../../lib/runtime.js';
import { keepLease, LeaseStatus, leaseMs, leaseVerdict } from '../../../lib/rollout/lease.js';
import { acquireLock } from '../../../lib/rollout/lock.js';
import type { PlannedState } from '../../../lib/rollout/state.js';
import type { Plan } from '../../../lib/plan/plan.js';

const T0 = Date.parse('2026-11-22T10:00:00Z');
let now = T0;
let home: string;
let rt: Runtime;

/** Just what the lease and the rollout record read of a plan: one phase, 100 s deadline + 100 s bake, local. */
const plan = {
  name: 'app',
  version: '1.0.0',
  digest: 'd',
  environment: 'lease-env',
  target: { type: 'local', environment: 'lease-env' },
  phases: [{ index: 0, name: 'only', deadlineSeconds: 100, bakeSeconds: 100 }],
} as unknown as Plan;
const state = (over: Partial<PlannedState> = {}): PlannedState => ({ rolloutId: 'r1', bundle: { path: '/b' }, plan, ...over });
const LEASE = leaseMs(plan);

beforeEach(async () => {
  now = T0;
  home = await mkdtemp(join(tmpdir(), 'lease-'));
  rt = createLocalRuntime({ ML_ROLLOUT_HOME: home }, { now: () => now });
});
afterEach(async () => rm(home, { recursive: true, force: true }));

describe('leaseVerdict', () => {
  it('is due once more than half of the lease has passed, with the values it decided on', () => {
    const expiresAt = T0 + 600_000;
    expect(leaseVerdict(expiresAt, 600_000, T0 + 299_999)).toEqual({ due: false, expiresAt, renewFrom: T0 + 300_000, leaseMs: 600_000 });
    expect(leaseVerdict(expiresAt, 600_000, T0 + 300_000).due).toBe(true);
    expect(leaseVerdict(expiresAt, 600_000, T0 + 700_000).due).toBe(true);
  });
});

describe('keepLease', () => {
  it('leaves a lease in its first half alone, renews it a full length from now past half, and keeps the renewal', async () => {
    const lock = await acquireLock(rt, state());
    expect(Date.parse(lock.expiresAt)).toBe(T0 + LEASE);
    // The lease covers the plan: the deadline and bake of its phase, a local rollback, the margin.
    expect(LEASE).toBe((100 + 100 + 120 + 300) * 1000);

    now = T0 + LEASE / 2 - 1;
    await expect(keepLease(rt, state({ lock }))).resolves.toEqual({ status: LeaseStatus.Current, expiresAt: lock.expiresAt });
    expect((await rt.locks.get(plan.environment))?.expiresAt).toBe(lock.expiresAt);

    now = T0 + LEASE / 2 + 1_000;
    const renewed = new Date(now + LEASE).toISOString();
    await expect(keepLease(rt, state({ lock }))).resolves.toEqual({ status: LeaseStatus.Renewed, expiresAt: renewed });
    expect(await rt.locks.get(plan.environment)).toMatchObject({ rolloutId: 'r1', expiresAt: renewed, version: '1.0.0' });

    // $.lock still holds the first lease: the stored one decides, and it is in its first half.
    now += 60_000;
    await expect(keepLease(rt, state({ lock }))).resolves.toEqual({ status: LeaseStatus.Current, expiresAt: renewed });
    expect((await rt.locks.get(plan.environment))?.expiresAt).toBe(renewed);
  });

  it('does not touch a lock another rollout took over', async () => {
    const lock = await acquireLock(rt, state());
    now = T0 + LEASE + 1_000;
    await acquireLock(rt, state({ rolloutId: 'r2' }));
    const theirs = await rt.locks.get(plan.environment);
    await expect(keepLease(rt, state({ lock }))).resolves.toEqual({ status: LeaseStatus.Lost, expiresAt: null });
    expect(await rt.locks.get(plan.environment)).toEqual(theirs);
  });

  it('does nothing where no lock was taken in this run', async () => {
    now = T0 + 10 * LEASE;
    await expect(keepLease(rt, state())).resolves.toEqual({ status: LeaseStatus.Current, expiresAt: null });
    expect(await rt.locks.get(plan.environment)).toBeNull();
  });
});
