/**
 * Identical work in flight in this process, shared: the first caller for a key runs it, callers
 * arriving before it settles get the same promise (and the same outcome, error included).
 */
export class Coalescer<T> {
  private readonly inflight = new Map<string, Promise<T>>();

  /** `shared` is true when the caller joined work already running. */
  run(key: string, work: () => Promise<T>): { promise: Promise<T>; shared: boolean } {
    const running = this.inflight.get(key);
    if (running) return { promise: running, shared: true };
    const promise = work().finally(() => this.inflight.delete(key));
    this.inflight.set(key, promise);
    return { promise, shared: false };
  }

  /** Keys in flight now. */
  get size(): number {
    return this.inflight.size;
  }
}
