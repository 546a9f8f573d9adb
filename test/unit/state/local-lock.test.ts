import { mkdtemp, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { LockHeldError } from '../../../lib/errors.js';
import { LocalLockStore } from '../../../lib/state/local-lock.js';
import type { LockEntry } from '../../../lib/state/types.js';

let home: string;
let now = Date.parse('2026-11-22T10:00:00Z');
const clock = { now: () => now };
const entry = (over: Partial<LockEntry> = {}): LockEntry => ({
  environment: 'env',
  rolloutId: 'a',
  version: '1.0.0',
  since: new Date(now).toISOString(),
  expiresAt: new Date(now + 60_000).toISOString(),
  owner: `${hostname()}:${process.pid}`,
  ...over,
});

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'lock-'));
});
afterEach(async () => rm(home, { recursive: true, force: true }));

describe('LocalLockStore', () => {
  it('one holder at a time; the second is told who holds it', async () => {
    const locks = new LocalLockStore(home, clock);
    await locks.acquire(entry());
    await locks.acquire(entry()); // re-entrant for the same rollout
    const err = await locks.acquire(entry({ rolloutId: 'b', version: '2.0.0' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LockHeldError);
    expect((err as LockHeldError).holder).toMatchObject({ rolloutId: 'a', version: '1.0.0' });
  });

  it('two racing acquires: exactly one wins', async () => {
    const locks = new LocalLockStore(home, clock);
    const results = await Promise.allSettled([locks.acquire(entry({ rolloutId: 'x' })), locks.acquire(entry({ rolloutId: 'y' }))]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });

  it('an expired lease or a dead owner is taken over', async () => {
    const locks = new LocalLockStore(home, clock);
    await locks.acquire(entry());
    now += 61_000;
    await locks.acquire(entry({ rolloutId: 'b', expiresAt: new Date(now + 60_000).toISOString() }));
    expect((await locks.get('env'))?.rolloutId).toBe('b');
    await locks.clear('env');
    await locks.acquire(entry({ rolloutId: 'c', owner: `${hostname()}:${2 ** 22 + 7}` }));
    await locks.acquire(entry({ rolloutId: 'd' }));
    expect((await locks.get('env'))?.rolloutId).toBe('d');
  });

  it('release only by the holder; clear removes any', async () => {
    const locks = new LocalLockStore(home, clock);
    await locks.acquire(entry());
    expect(await locks.release('env', 'someone-else')).toBe(false);
    expect(await locks.release('env', 'a')).toBe(true);
    await locks.acquire(entry({ rolloutId: 'z' }));
    expect((await locks.clear('env'))?.rolloutId).toBe('z');
    expect(await locks.get('env')).toBeNull();
  });

  it('renews the lease of its own lock only', async () => {
    const locks = new LocalLockStore(home, clock);
    await locks.acquire(entry());
    const later = new Date(now + 3_600_000).toISOString();
    await expect(locks.renew('env', 'a', later)).resolves.toBe(true);
    expect(await locks.get('env')).toEqual(entry({ expiresAt: later }));
    await expect(locks.renew('env', 'b', new Date(now).toISOString())).resolves.toBe(false);
    expect((await locks.get('env'))?.expiresAt).toBe(later);
    await locks.clear('env');
    await expect(locks.renew('env', 'a', later)).resolves.toBe(false);
    expect(await locks.get('env')).toBeNull();
  });
});
