import type { CacheStore } from './store.js';

/** Store operations, as counted when they fail open. */
export const StoreOp = {
  Get: 'get',
  Set: 'set',
  Lock: 'lock',
  Unlock: 'unlock',
  Increment: 'increment',
} as const;
export type StoreOp = (typeof StoreOp)[keyof typeof StoreOp];

/** Options of FailOpenStore. */
export interface FailOpenOptions {
  /** Longest wait for one operation, ms (the proxy's redisTimeoutMs). */
  timeoutMs: number;
  /** Called once for every operation that failed or timed out. */
  onFailure: (op: StoreOp, err: Error) => void;
}

class StoreTimeoutError extends Error {
  override readonly name = 'StoreTimeoutError';
}

/**
 * A CacheStore that never fails and never waits longer than `timeoutMs`: a failure reads as a
 * miss, a lost write, a lock taken (so the caller goes upstream itself) and a zero count (so no
 * client is throttled because the counter is unreachable). The cache therefore never causes a 5xx.
 */
export class FailOpenStore implements CacheStore {
  constructor(
    private readonly inner: CacheStore,
    private readonly options: FailOpenOptions,
  ) {}

  private async guard<T>(op: StoreOp, run: () => Promise<T>, fallback: T): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    let turn: NodeJS.Immediate | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        // After a busy event loop the timer can fire with the answer already in the socket:
        // let I/O run once more (setImmediate comes after the poll phase) before giving up.
        turn = setImmediate(() => reject(new StoreTimeoutError(`cache ${op} took longer than ${this.options.timeoutMs} ms`)));
      }, this.options.timeoutMs);
    });
    try {
      return await Promise.race([run(), timeout]);
    } catch (err) {
      this.options.onFailure(op, err instanceof Error ? err : new Error(String(err)));
      return fallback;
    } finally {
      clearTimeout(timer);
      clearImmediate(turn);
    }
  }

  get(key: string): Promise<string | null> {
    return this.guard(StoreOp.Get, () => this.inner.get(key), null);
  }

  set(key: string, value: string, ttlMs: number): Promise<void> {
    return this.guard(StoreOp.Set, () => this.inner.set(key, value, ttlMs), undefined);
  }

  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    return this.guard(StoreOp.Lock, () => this.inner.setIfAbsent(key, value, ttlMs), true);
  }

  del(key: string): Promise<void> {
    return this.guard(StoreOp.Unlock, () => this.inner.del(key), undefined);
  }

  increment(key: string, ttlMs: number): Promise<number> {
    return this.guard(StoreOp.Increment, () => this.inner.increment(key, ttlMs), 0);
  }
}
