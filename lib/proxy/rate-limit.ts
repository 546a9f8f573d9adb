import type { Clock } from '../clock.js';
import { RateLimitedError } from './errors.js';
import type { CacheStore } from './store.js';

const WINDOW_MS = 60_000;

/**
 * Requests per API key per minute, counted in a fixed one-minute window in the (shared) store.
 * The HTTP API throttles the route as a whole; this is what makes the limit per key. A store that
 * fails counts 0 (FailOpenStore): an unreachable Redis throttles nobody.
 */
export class RateLimiter {
  constructor(
    private readonly store: CacheStore,
    /** requests per key per minute; 0 = no limit */
    private readonly perMinute: number,
    private readonly prefix: string,
    private readonly clock: Clock,
  ) {}

  /** Whether requests of `keyId` are counted at all (null: auth off, nobody to count). */
  applies(keyId: string | null): keyId is string {
    return keyId !== null && this.perMinute > 0;
  }

  /** Counts one request of `keyId`; throws RateLimitedError past the limit. */
  async admit(keyId: string | null): Promise<void> {
    if (!this.applies(keyId)) return;
    const now = this.clock.now();
    const window = Math.floor(now / WINDOW_MS);
    // The counter outlives its window a little, so a late increment cannot recreate it without expiry.
    const count = await this.store.increment(`${this.prefix}rate:${keyId}:${window}`, WINDOW_MS + 5_000);
    if (count > this.perMinute) {
      const retryAfterSeconds = Math.max(1, Math.ceil(((window + 1) * WINDOW_MS - now) / 1000));
      throw new RateLimitedError(this.perMinute, retryAfterSeconds);
    }
  }
}
