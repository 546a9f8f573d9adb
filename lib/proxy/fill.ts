import { decodeAnswer, encodeAnswer, isCacheable, type UpstreamAnswer } from './answer.js';
import { lockKeyOf, staleKeyOf } from './cache-key.js';
import type { CacheStore } from './store.js';

/** How a miss was filled. */
export interface Filled {
  answer: UpstreamAnswer;
  /** true when another instance fetched it and this one read it from the cache. */
  fromCache: boolean;
}

/** Options of fillAcrossInstances. */
export interface FillOptions {
  /** Answer lifetime, ms. */
  ttlMs: number;
  /** Lock lifetime, ms: longer than one bounded upstream call. */
  lockTtlMs: number;
  /** Interval between looks at the cache while another instance fetches, ms. */
  pollMs: number;
  /** Identifies the lock holder (for debugging with redis-cli). */
  owner: string;
  /** How much longer than ttlMs the stale copy of an answer lives, ms; 0 keeps none (stale-if-error off). */
  staleMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Fills a cache miss with one upstream call across all instances: whoever takes the short lock
 * (SET NX PX) calls `fetch` and stores a cacheable answer; the others look at the cache until the
 * answer appears or the lock is gone (the holder failed, or its answer was not cacheable), and
 * then call upstream themselves. The lock cannot outlive one upstream call, so waiting is bounded.
 */
export async function fillAcrossInstances(
  store: CacheStore,
  key: string,
  fetch: () => Promise<UpstreamAnswer>,
  options: FillOptions,
): Promise<Filled> {
  const lockKey = lockKeyOf(key);
  const sleep = options.sleep ?? defaultSleep;
  if (await store.setIfAbsent(lockKey, options.owner, options.lockTtlMs)) {
    try {
      const answer = await fetch();
      if (isCacheable(answer)) await keep(store, key, answer, options);
      return { answer, fromCache: false };
    } finally {
      // Plain DEL is safe: the lock outlives our bounded call, so it is still ours.
      await store.del(lockKey);
    }
  }
  const cached = async () => {
    const raw = await store.get(key);
    return raw === null ? null : decodeAnswer(raw);
  };
  const polls = Math.ceil(options.lockTtlMs / options.pollMs);
  for (let i = 0; i < polls; i++) {
    await sleep(options.pollMs);
    const answer = await cached();
    if (answer) return { answer, fromCache: true };
    if ((await store.get(lockKey)) === null) {
      // The holder stores its answer before it releases the lock: it may have done both since
      // the look above.
      const late = await cached();
      if (late) return { answer: late, fromCache: true };
      break;
    }
  }
  const answer = await fetch();
  if (isCacheable(answer)) await keep(store, key, answer, options);
  return { answer, fromCache: false };
}

/** Stores an answer, and its stale copy when stale-if-error is on (both at once). */
async function keep(store: CacheStore, key: string, answer: UpstreamAnswer, options: FillOptions): Promise<void> {
  const encoded = encodeAnswer(answer);
  const staleMs = options.staleMs ?? 0;
  if (staleMs <= 0) return store.set(key, encoded, options.ttlMs);
  await Promise.all([store.set(key, encoded, options.ttlMs), store.set(staleKeyOf(key), encoded, options.ttlMs + staleMs)]);
}
