import { LRUCache } from 'lru-cache';
import { systemClock, type Clock } from '../clock.js';
import type { CacheStore } from './store.js';

/**
 * CacheStore in this process: the fallback when no Redis answers (local proxy), bounded in
 * entries; expired entries are never returned.
 */
export class MemoryStore implements CacheStore {
  private readonly lru: LRUCache<string, string>;

  constructor(maxEntries: number, clock: Clock = systemClock) {
    // ttlResolution 0: read the clock on every check, so an injected clock is exact.
    this.lru = new LRUCache<string, string>({ max: maxEntries, ttlAutopurge: false, perf: clock, ttlResolution: 0 });
  }

  get(key: string): Promise<string | null> {
    return Promise.resolve(this.lru.get(key) ?? null);
  }

  set(key: string, value: string, ttlMs: number): Promise<void> {
    this.lru.set(key, value, { ttl: ttlMs });
    return Promise.resolve();
  }

  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    if (this.lru.has(key)) return Promise.resolve(false);
    this.lru.set(key, value, { ttl: ttlMs });
    return Promise.resolve(true);
  }

  del(key: string): Promise<void> {
    this.lru.delete(key);
    return Promise.resolve();
  }

  increment(key: string, ttlMs: number): Promise<number> {
    const current = this.lru.get(key);
    const next = (current === undefined ? 0 : Number(current)) + 1;
    if (current === undefined) this.lru.set(key, String(next), { ttl: ttlMs });
    else this.lru.set(key, String(next), { noUpdateTTL: true });
    return Promise.resolve(next);
  }
}
