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

/** One operation in flight: answered by the store, or given up at its deadline. */
class Waiting<T> {
  settled = false;

  constructor(
    /** performance.now() past which the operation is given up */
    readonly at: number,
    readonly op: StoreOp,
    private readonly resolve: (value: T) => void,
    private readonly fallback: T,
    private readonly onFailure: FailOpenOptions['onFailure'],
  ) {}

  answer(value: T): void {
    if (this.settled) return;
    this.settled = true;
    this.resolve(value);
  }

  fail(err: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.onFailure(this.op, err instanceof Error ? err : new Error(String(err)));
    this.resolve(this.fallback);
  }
}

/**
 * Gives up on operations past their deadline with one timer for all of them, instead of a timer
 * per operation on the hit path. Every operation waits the same time, so deadlines come in the
 * order the operations started: they are kept in that order, answered ones left in place until
 * the timer passes them. A deadline is noticed within half a timeout of passing; the timer stops
 * when nothing has been waiting for a whole tick.
 */
class Deadlines {
  private queue: Waiting<unknown>[] = [];
  private head = 0;
  private timer: NodeJS.Timeout | null = null;
  /** An operation started since the last tick. */
  private added = false;
  private idleTicks = 0;

  constructor(
    private readonly timeoutMs: number,
    private readonly onFailure: FailOpenOptions['onFailure'],
  ) {}

  add<T>(op: StoreOp, resolve: (value: T) => void, fallback: T): Waiting<T> {
    const w = new Waiting(performance.now() + this.timeoutMs, op, resolve, fallback, this.onFailure);
    this.queue.push(w as Waiting<unknown>);
    this.added = true;
    if (!this.timer) {
      this.idleTicks = 0;
      this.timer = setInterval(() => this.tick(), Math.max(1, Math.floor(this.timeoutMs / 2)));
      this.timer.unref();
    }
    return w;
  }

  private tick(): void {
    const { queue } = this;
    const now = performance.now();
    let { head } = this;
    while (head < queue.length) {
      const w = queue[head] as Waiting<unknown>;
      if (!w.settled) {
        if (w.at > now) break;
        // After a busy event loop the answer may already be in the socket: let I/O run once more
        // (setImmediate comes after the poll phase) before giving up.
        setImmediate(() => w.fail(new StoreTimeoutError(`cache ${w.op} took longer than ${this.timeoutMs} ms`)));
      }
      head++;
    }
    if (head === queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (head > 1_024 && head * 2 > queue.length) {
      this.queue = queue.slice(head);
      this.head = 0;
    } else {
      this.head = head;
    }
    const idle = !this.added && this.queue.length === 0;
    this.added = false;
    if (!idle) {
      this.idleTicks = 0;
    } else if (++this.idleTicks > 1 && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
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
    readonly options: FailOpenOptions,
  ) {
    this.deadlines = new Deadlines(options.timeoutMs, options.onFailure);
  }

  private guard<T>(op: StoreOp, run: () => Promise<T>, fallback: T): Promise<T> {
    return new Promise<T>((resolve) => {
      const w = this.deadlines.add(op, resolve, fallback);
      let running: Promise<T>;
      try {
        running = run();
      } catch (err) {
        return w.fail(err);
      }
      running.then(
        (value) => w.answer(value),
        (err: unknown) => w.fail(err),
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
