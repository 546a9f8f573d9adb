import { hash, timingSafeEqual } from 'node:crypto';
import { describeError } from '../errors.js';
import { AuthUnavailableError, ForbiddenError, UnauthorizedError } from './errors.js';

/** Where the valid API keys come from (SSM on AWS, ML_ROLLOUT_API_KEY locally). */
export interface ApiKeySource {
  /** The keys; a source that has them at hand returns them directly (no await on the hot path). */
  keys(): readonly string[] | Promise<readonly string[]>;
}

/** A source with fixed keys. */
export function staticKeys(...keys: string[]): ApiKeySource {
  const frozen = Object.freeze(keys.filter((k) => k.length > 0));
  return { keys: () => frozen };
}

/** Keys as stored in one parameter: separated by commas or newlines, blanks ignored. */
export function parseKeyList(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((k) => k.trim())
    .filter((k) => k.length > 0);
}

/** Names a key in logs and rate-limit counters without revealing it: sha256, 12 hex digits. */
export function keyId(key: string): string {
  return hash('sha256', key, 'hex').slice(0, 12);
}

/** The valid keys, prepared once per key list for constant-time comparison. */
interface KeySet {
  source: readonly string[];
  /** Every key zero-padded to `width` bytes. */
  padded: Buffer[];
  /** bytes */
  lengths: number[];
  ids: string[];
  /** bytes: the longest key */
  width: number;
  /** Where the presented key is written, zero-padded (reused: check() does not await in between). */
  scratch: Buffer;
}

function prepare(keys: readonly string[]): KeySet {
  const width = Math.max(1, ...keys.map((k) => Buffer.byteLength(k)));
  return {
    source: keys,
    padded: keys.map((k) => {
      const b = Buffer.alloc(width);
      b.write(k);
      return b;
    }),
    lengths: keys.map((k) => Buffer.byteLength(k)),
    ids: keys.map(keyId),
    width,
    scratch: Buffer.alloc(width),
  };
}

const unavailable = (err: unknown) => new AuthUnavailableError(`the API keys cannot be read: ${describeError(err)}`, { cause: err });

/**
 * Checks x-api-key against every valid key in constant time: the presented key and every valid
 * one are compared zero-padded to the same width with timingSafeEqual, lengths compared apart,
 * every key compared, no early exit. (Padding rather than hashing both sides: a hash costs more
 * than the rest of a cache hit.) Only the presented key's own length shows in the timing.
 */
export class ApiKeyAuth {
  private keySet: KeySet | null = null;

  /** `source` null: auth is off and every request is let through. */
  constructor(private readonly source: ApiKeySource | null) {}

  get enabled(): boolean {
    return this.source !== null;
  }

  /** The key's id when valid; null when auth is off. Rejects with 401/403/503 errors otherwise. */
  async check(presented: string | undefined): Promise<string | null> {
    return this.verify(presented);
  }

  /**
   * check() without a promise when the keys are at hand (static keys, or SSM's still fresh):
   * the key's id, or null when auth is off; throws the 401/403 errors. A promise only when the
   * keys must be read first.
   */
  verify(presented: string | undefined): string | null | Promise<string | null> {
    if (!this.source) return null;
    if (presented === undefined || presented.length === 0) throw new UnauthorizedError();
    let found: readonly string[] | Promise<readonly string[]>;
    try {
      found = this.source.keys();
    } catch (err) {
      throw unavailable(err);
    }
    if (Array.isArray(found)) return this.match(presented, found as readonly string[]);
    return (found as Promise<readonly string[]>).then(
      (keys) => this.match(presented, keys),
      (err: unknown) => {
        throw unavailable(err);
      },
    );
  }

  private match(presented: string, keys: readonly string[]): string | null {
    if (this.keySet?.source !== keys) this.keySet = prepare(keys);
    const set = this.keySet;
    const length = Buffer.byteLength(presented);
    // Longer than every key: it cannot match (and would not fit the scratch buffer).
    if (length > set.width) throw new ForbiddenError();
    set.scratch.fill(0);
    set.scratch.write(presented);
    let found = -1;
    for (let i = 0; i < set.padded.length; i++) {
      const same = timingSafeEqual(set.padded[i] as Buffer, set.scratch);
      if (same && set.lengths[i] === length) found = i;
    }
    if (found < 0) throw new ForbiddenError();
    return set.ids[found] ?? null;
  }
}
