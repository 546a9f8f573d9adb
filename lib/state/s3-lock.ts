import type { S3Client } from '@aws-sdk/client-s3';
import * as z from 'zod';
import type { Clock } from '../clock.js';
import { LockHeldError, TransientError } from '../errors.js';
import { S3Json, StateKeys, asRolloutError, isConditionalConflict, isNotFound, isPreconditionFailed, type S3Location } from './s3-store.js';
import type { LockEntry, LockStore } from './types.js';

/** Options of the S3 lock. */
export interface S3LockOptions extends S3Location {
  clock: Clock;
  /** Rounds of take / read / take over before giving up with TransientError (default 3). */
  attempts?: number;
}

const lockEntrySchema = z.strictObject({
  environment: z.string(),
  rolloutId: z.string(),
  version: z.string(),
  since: z.string(),
  expiresAt: z.string(),
  owner: z.string(),
});

/** A lock object as read: its entry (null when the object is unreadable) and the ETag that guards it. */
interface HeldLock {
  entry: LockEntry | null;
  etag: string;
}

/** Someone else won a conditional request on the key: read again and decide again. */
function lostRace(err: unknown): boolean {
  return isPreconditionFailed(err) || isConditionalConflict(err) || isNotFound(err);
}

/**
 * One rollout per environment, as an object <prefix><environment>/lock.json taken with S3
 * conditional writes: `If-None-Match: *` creates it only when there is none, so of two racing
 * rollouts exactly one gets 200 and the other 412. Renewing, releasing and taking over a lock
 * whose lease ran out all go through `If-Match` on the ETag that was read, so a lock that
 * changed hands in between is never overwritten or deleted.
 */
export class S3LockStore implements LockStore {
  private readonly json: S3Json;
  private readonly keys: StateKeys;
  private readonly clock: Clock;
  private readonly attempts: number;
  private readonly bucket: string;

  constructor(client: S3Client, options: S3LockOptions) {
    this.bucket = options.bucket;
    this.json = new S3Json(client, options.bucket);
    this.keys = new StateKeys(options.prefix);
    this.clock = options.clock;
    this.attempts = options.attempts ?? 3;
  }

  private async read(environment: string): Promise<HeldLock | null> {
    const found = await this.json.read(this.keys.lock(environment));
    if (!found) return null;
    let entry: LockEntry | null = null;
    try {
      const parsed = lockEntrySchema.safeParse(JSON.parse(found.text));
      entry = parsed.success ? parsed.data : null;
    } catch {
      entry = null;
    }
    return { entry, etag: found.etag };
  }

  /** LockHeldError saying how to clear this lock by hand: it lives in S3, not under a local state home. */
  private held(environment: string, holder: LockEntry): LockHeldError {
    return new LockHeldError(environment, holder, `aws s3 rm s3://${this.bucket}/${this.keys.lock(environment)}`);
  }

  /** A lease that ran out, or a lock object nobody can read, holds nothing. */
  private stale(held: HeldLock): boolean {
    if (!held.entry) return true;
    return !(Date.parse(held.entry.expiresAt) > this.clock.now());
  }

  async get(environment: string): Promise<LockEntry | null> {
    return (await this.read(environment))?.entry ?? null;
  }

  async acquire(entry: LockEntry): Promise<void> {
    const key = this.keys.lock(entry.environment);
    for (let attempt = 0; attempt < this.attempts; attempt++) {
      try {
        await this.json.write(key, entry, { ifNoneMatch: '*' });
        return;
      } catch (err) {
        if (!lostRace(err)) throw asRolloutError(err, `PutObject s3://${this.json.bucket}/${key} (take the lock of ${entry.environment})`);
      }
      const held = await this.read(entry.environment);
      if (!held) continue; // released between our two requests
      if (held.entry?.rolloutId === entry.rolloutId) return; // a retried AcquireLock of the same rollout
      if (held.entry && !this.stale(held)) throw this.held(entry.environment, held.entry);
      try {
        await this.json.write(key, entry, { ifMatch: held.etag });
        return;
      } catch (err) {
        if (!lostRace(err))
          throw asRolloutError(err, `PutObject s3://${this.json.bucket}/${key} (take over the lock of ${entry.environment})`);
      }
    }
    const held = await this.read(entry.environment);
    if (held?.entry?.rolloutId === entry.rolloutId) return;
    if (held?.entry && !this.stale(held)) throw this.held(entry.environment, held.entry);
    throw new TransientError(`the lock of ${entry.environment} kept changing hands; ${this.attempts} attempts to take it failed`);
  }

  /**
   * Extends the lease of a lock that `rolloutId` holds. False when it does not hold it (any more):
   * a lock taken over after its lease ran out is not renewed.
   */
  async renew(environment: string, rolloutId: string, expiresAt: string): Promise<boolean> {
    const held = await this.read(environment);
    if (!held?.entry || held.entry.rolloutId !== rolloutId) return false;
    try {
      await this.json.write(this.keys.lock(environment), { ...held.entry, expiresAt }, { ifMatch: held.etag });
      return true;
    } catch (err) {
      if (lostRace(err)) return false;
      throw asRolloutError(err, `PutObject s3://${this.json.bucket}/${this.keys.lock(environment)} (renew the lock of ${environment})`);
    }
  }

  async release(environment: string, rolloutId: string): Promise<boolean> {
    const held = await this.read(environment);
    if (!held?.entry || held.entry.rolloutId !== rolloutId) return false;
    try {
      await this.json.remove(this.keys.lock(environment), { ifMatch: held.etag });
      return true;
    } catch (err) {
      if (lostRace(err)) return false;
      throw asRolloutError(
        err,
        `DeleteObject s3://${this.json.bucket}/${this.keys.lock(environment)} (release the lock of ${environment})`,
      );
    }
  }

  async clear(environment: string): Promise<LockEntry | null> {
    const held = await this.read(environment);
    if (!held) return null;
    try {
      await this.json.remove(this.keys.lock(environment));
    } catch (err) {
      if (!isNotFound(err))
        throw asRolloutError(
          err,
          `DeleteObject s3://${this.json.bucket}/${this.keys.lock(environment)} (clear the lock of ${environment})`,
        );
    }
    return held.entry;
  }
}
