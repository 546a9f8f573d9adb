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

interface Waiting {
  /** performance.now() past which the operation is given up */
  at: number;
  expire(): void;
}

/**
 * Gives up on operations past their deadline with one timer for all of them, instead of a timer
 * per operation on the hit path. A deadline is noticed within half a timeout of passing; the timer
 * stops when nothing has been waiting for a whole tick.
 */
class Deadlines {
  private readonly waiting = new Set<Waiting>();
  private timer: NodeJS.Timeout | null = null;
  private idleTicks = 0;

  constructor(private readonly timeoutMs: number) {}

  add(expire: () => void): Waiting {
    const w = { at: performance.now() + this.timeoutMs, expire };
    this.waiting.add(w);
    this.idleTicks = 0;
    if (!this.timer) {
      this.timer = setInterval(() => this.tick(), Math.max(1, Math.floor(this.timeoutMs / 2)));
      this.timer.unref();
    }
    return w;
  }

  remove(w: Waiting): void {
    this.waiting.delete(w);
  }

  private tick(): void {
    if (this.waiting.size === 0) {
      if (++this.idleTicks > 1 && this.timer) {
        clearInterval(this.timer);
        this.timer = null;
      }
      return;
    }
    this.idleTicks = 0;
    const now = performance.now();
    for (const w of this.waiting) {
      if (w.at > now) continue;
      this.waiting.delete(w);
      // After a busy event loop the answer may already be in the socket: let I/O run once more
      // (setImmediate comes after the poll phase) before giving up.
      setImmediate(w.expire);
    }
  }
}

/**
 * A CacheStore that never fails and never waits much longer than `timeoutMs`: a failure reads as
 * a miss, a lost write, a lock taken (so the caller goes upstream itself) and a zero count (so no
 * client is throttled because the counter is unreachable). The cache therefore never causes a 5xx.
 */
export class FailOpenStore implements CacheStore {
  private readonly deadlines: Deadlines;

  constructor(
    private readonly inner: CacheStore,
    private readonly options: FailOpenOptions,
  ) {
    this.deadlines = new Deadlines(options.timeoutMs);
  }

  private guard<T>(op: StoreOp, run: () => Promise<T>, fallback: T): Promise<T> {
    return new Promise<T>((resolve) => {
      let settled = false;
      const fail = (err: Error) => {
        if (settled) return;
        settled = true;
        this.deadlines.remove(waiting);
        this.options.onFailure(op, err);
        resolve(fallback);
      };
      const waiting = this.deadlines.add(() => fail(new StoreTimeoutError(`cache ${op} took longer than ${this.options.timeoutMs} ms`)));
      let running: Promise<T>;
      try {
        running = run();
      } catch (err) {
        return fail(err instanceof Error ? err : new Error(String(err)));
      }
      running.then(
        (value) => {
          if (settled) return;
          settled = true;
          this.deadlines.remove(waiting);
          resolve(value);
        },
        (err: unknown) => fail(err instanceof Error ? err : new Error(String(err))),
      );
    });
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
