import { LRUCache } from 'lru-cache';
import { systemClock, type Clock } from '../clock.js';
import { describeError } from '../errors.js';
import type { Serving } from '../state/types.js';
import { NotServingError, UnknownEnvironmentError } from './errors.js';

/** What the proxy needs of the rollout state; StateStore (local files or S3) satisfies it. */
export interface ServingLookup {
  getServing(environment: string): Promise<Serving | null>;
}

/** Boxed so that "no such environment" is cached too (lru-cache does not keep undefined). */
interface Entry {
  serving: Serving | null;
}

/**
 * The version serving each environment, remembered for `ttlMs` so that a request does not read
 * the state store; a rollout or rollback is therefore seen at most `ttlMs` late.
 */
export class ServingCache {
  private readonly lru: LRUCache<string, Entry> | null;

  constructor(
    private readonly lookup: ServingLookup,
    /** ms; 0 reads the state on every request. */
    ttlMs: number,
    clock: Clock = systemClock,
  ) {
    this.lru =
      ttlMs > 0
        ? new LRUCache<string, Entry>({
            max: 1_000,
            ttl: ttlMs,
            ttlResolution: 0,
            perf: clock,
            // Concurrent cold lookups of one environment share one read (lru-cache dedupes fetches).
            fetchMethod: async (environment) => ({ serving: await lookup.getServing(environment) }),
          })
        : null;
  }

  /**
   * What serves `environment` when it is remembered and still fresh; undefined otherwise (then
   * get() reads it). Synchronous: on the hit path, an await less.
   */
  known(environment: string): Serving | undefined {
    return this.lru?.get(environment)?.serving ?? undefined;
  }

  /** What serves `environment`; throws UnknownEnvironmentError when nothing does. */
  async get(environment: string): Promise<Serving> {
    let serving: Serving | null;
    try {
      // get() first: on the hit path a plain lookup is much cheaper than fetch()'s machinery.
      const known = this.lru?.get(environment);
      if (known) serving = known.serving;
      else serving = this.lru ? ((await this.lru.fetch(environment))?.serving ?? null) : await this.lookup.getServing(environment);
    } catch (err) {
      throw new NotServingError(environment, `the rollout state cannot be read (${describeError(err)})`, { cause: err });
    }
    if (!serving) throw new UnknownEnvironmentError(environment);
    return serving;
  }
}
