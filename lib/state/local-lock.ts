import { readFile, rename, unlink, writeFile, mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { LockHeldError } from '../errors.js';
import type { Clock } from '../clock.js';
import { environmentDir } from './local-store.js';
import type { LockEntry, LockStore } from './types.js';

/** This process as a lock owner: "host:pid". */
export function localOwner(): string {
  return `${hostname()}:${process.pid}`;
}

function ownerIsDead(owner: string): boolean {
  const [host, pid] = owner.split(':');
  if (host !== hostname() || !pid || !/^\d+$/.test(pid)) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * A lock file per environment, created with O_EXCL so two processes cannot both take it.
 * A lock whose lease ran out, or whose owner process on this host is gone, is stale and taken over.
 */
export class LocalLockStore implements LockStore {
  /** @param cli how the user runs the CLI, for the unlock hint of a held lock (default `ml-rollout`). */
  constructor(
    private readonly home: string,
    private readonly clock: Clock,
    private readonly cli = 'ml-rollout',
  ) {}

  private held(environment: string, holder: LockEntry): LockHeldError {
    return new LockHeldError(environment, holder, `${this.cli} unlock --env ${environment}`);
  }

  private path(environment: string): string {
    return join(environmentDir(this.home, environment), 'lock.json');
  }

  async get(environment: string): Promise<LockEntry | null> {
    try {
      return JSON.parse(await readFile(this.path(environment), 'utf8')) as LockEntry;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async acquire(entry: LockEntry): Promise<void> {
    const path = this.path(entry.environment);
    await mkdir(join(path, '..'), { recursive: true });
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await writeFile(path, JSON.stringify(entry, null, 2), { flag: 'wx' });
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const holder = await this.get(entry.environment);
      if (!holder) continue; // released between our two calls
      if (holder.rolloutId === entry.rolloutId) return;
      const expired = Date.parse(holder.expiresAt) <= this.clock.now();
      if (!expired && !ownerIsDead(holder.owner)) throw this.held(entry.environment, holder);
      await unlink(path).catch(() => undefined);
    }
    const holder = await this.get(entry.environment);
    if (holder) throw this.held(entry.environment, holder);
  }

  async renew(environment: string, rolloutId: string, expiresAt: string): Promise<boolean> {
    const holder = await this.get(environment);
    if (!holder || holder.rolloutId !== rolloutId) return false;
    // Written aside and renamed over the lock: a reader never sees half a file. Unlike S3's If-Match
    // this is not conditional, but a takeover needs the lease to have run out, and a rollout
    // renews at half of it.
    const path = this.path(environment);
    const next = `${path}.${process.pid}.renew`;
    await writeFile(next, JSON.stringify({ ...holder, expiresAt }, null, 2));
    await rename(next, path);
    return true;
  }

  async release(environment: string, rolloutId: string): Promise<boolean> {
    const holder = await this.get(environment);
    if (!holder || holder.rolloutId !== rolloutId) return false;
    await unlink(this.path(environment)).catch(() => undefined);
    return true;
  }

  async clear(environment: string): Promise<LockEntry | null> {
    const holder = await this.get(environment);
    await unlink(this.path(environment)).catch(() => undefined);
    return holder;
  }
}
