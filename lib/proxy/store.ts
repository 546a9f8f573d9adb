/**
 * The little the proxy needs of Redis. Implemented by RedisStore (ioredis) and MemoryStore
 * (in-process LRU); FailOpenStore wraps either so that no cache failure reaches a client.
 */
export interface CacheStore {
  get(key: string): Promise<string | null>;
  /** SET key value PX ttlMs */
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** SET key value NX PX ttlMs: true when this call created the key. */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  del(key: string): Promise<void>;
  /**
   * Adds 1 to a counter and returns the new count; the counter lives ttlMs from its creation
   * (later increments do not extend it).
   */
  increment(key: string, ttlMs: number): Promise<number>;
}
