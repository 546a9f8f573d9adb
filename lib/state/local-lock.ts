import { createHash } from 'node:crypto';
import { link, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { LockHeldError, StateFileInvalidError } from '../errors.js';
import type { Clock } from '../clock.js';
import { parseState, writeTemp } from './files.js';
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

/** A takeover marker older than this was left by a contender that crashed in the middle of one (ms). */
const ABANDONED_TAKEOVER_MS = 10_000;

const code = (err: unknown) => (err as NodeJS.ErrnoException).code;

/**
 * A lock file per environment. It is never written in place: the entry is written whole to a
 * temporary file first, then
 * - taken with link(2), which creates lock.json only if there is none (of racing contenders
 *   exactly one succeeds, and nobody ever reads a half-written lock);
 * - taken over, when its lease ran out, its owner process on this host is gone, or it is not a
 *   valid lock file, by a compare-and-swap: a contender first creates (O_EXCL) a marker named by
 *   the hash of the lock it judged stale, checks that lock.json still holds exactly those bytes,
 *   renames its entry over it and removes the marker. Of the contenders that read the same stale
 *   lock only the marker's creator may replace it, and once replaced the bytes differ, so a
 *   late contender finds a held lock: exactly one wins.
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

  private async readRaw(environment: string): Promise<string | null> {
    try {
      return await readFile(this.path(environment), 'utf8');
    } catch (err) {
      if (code(err) === 'ENOENT') return null;
      throw err;
    }
  }

  /** The holder; StateFileInvalidError naming lock.json when it is not a valid lock file. */
  async get(environment: string): Promise<LockEntry | null> {
    const raw = await this.readRaw(environment);
    return raw === null ? null : parseState<LockEntry>(this.path(environment), raw, 'lockEntry');
  }

  /** The holder as read, or 'invalid' for a lock file that cannot be read as one (it holds nothing). */
  private async parse(environment: string, raw: string): Promise<LockEntry | 'invalid'> {
    try {
      return await parseState<LockEntry>(this.path(environment), raw, 'lockEntry');
    } catch (err) {
      if (err instanceof StateFileInvalidError) return 'invalid';
      throw err;
    }
  }

  async acquire(entry: LockEntry): Promise<void> {
    const path = this.path(entry.environment);
    const tmp = await writeTemp(path, JSON.stringify(entry, null, 2));
    try {
      for (let attempt = 0; attempt < 5; attempt++) {
        try {
          await link(tmp, path);
          return;
        } catch (err) {
          if (code(err) !== 'EEXIST') throw err;
        }
        const raw = await this.readRaw(entry.environment);
        if (raw === null) continue; // released between our two calls
        const holder = await this.parse(entry.environment, raw);
        if (holder !== 'invalid') {
          if (holder.rolloutId === entry.rolloutId) return;
          const expired = Date.parse(holder.expiresAt) <= this.clock.now();
          if (!expired && !ownerIsDead(holder.owner)) throw this.held(entry.environment, holder);
        }
        if (await this.takeOver(path, raw, tmp)) return;
        await sleep(5 + Math.random() * 20);
      }
      const holder = await this.get(entry.environment).catch(() => null);
      if (holder) throw this.held(entry.environment, holder);
      throw new LockHeldError(
        entry.environment,
        { rolloutId: 'unknown', version: 'unknown', since: 'unknown', expiresAt: 'unknown' },
        `${this.cli} unlock --env ${entry.environment}`,
      );
    } finally {
      await unlink(tmp).catch(() => undefined);
    }
  }

  /** Replaces the stale lock `raw` by the entry in `tmp`, only if it is still that lock; true when it did. */
  private async takeOver(path: string, raw: string, tmp: string): Promise<boolean> {
    const marker = `${path}.takeover-${createHash('sha256').update(raw).digest('hex').slice(0, 16)}`;
    try {
      await writeFile(marker, localOwner(), { flag: 'wx' });
    } catch (err) {
      if (code(err) !== 'EEXIST') throw err;
      const left = await stat(marker).catch(() => null);
      if (left && Date.now() - left.mtimeMs > ABANDONED_TAKEOVER_MS) await unlink(marker).catch(() => undefined);
      return false; // another contender is taking this lock over
    }
    try {
      const now = await readFile(path, 'utf8').catch(() => null);
      if (now !== raw) return false;
      await rename(tmp, path);
      return true;
    } finally {
      await unlink(marker).catch(() => undefined);
    }
  }

  async renew(environment: string, rolloutId: string, expiresAt: string): Promise<boolean> {
    const holder = await this.get(environment).catch(() => null);
    if (!holder || holder.rolloutId !== rolloutId) return false;
    // Written aside and renamed over the lock: a reader never sees half a file. Unlike S3's If-Match
    // this is not conditional, but a takeover needs the lease to have run out, and a rollout
    // renews at half of it.
    const path = this.path(environment);
    const next = await writeTemp(path, JSON.stringify({ ...holder, expiresAt }, null, 2));
    try {
      await rename(next, path);
    } catch (err) {
      await unlink(next).catch(() => undefined);
      throw err;
    }
    return true;
  }

  async release(environment: string, rolloutId: string): Promise<boolean> {
    const holder = await this.get(environment).catch(() => null);
    if (!holder || holder.rolloutId !== rolloutId) return false;
    await unlink(this.path(environment)).catch(() => undefined);
    return true;
  }

  /** Removes the lock file whatever it holds, an invalid one included (then null is returned). */
  async clear(environment: string): Promise<LockEntry | null> {
    const holder = await this.get(environment).catch((err: unknown) => {
      if (err instanceof StateFileInvalidError) return null;
      throw err;
    });
    await unlink(this.path(environment)).catch(() => undefined);
    return holder;
  }
}
