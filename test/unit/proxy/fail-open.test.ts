import { FailOpenStore, StoreOp } from '../../../lib/proxy/fail-open.js';
import { MemoryStore } from '../../../lib/proxy/memory-store.js';
import type { CacheStore } from '../../../lib/proxy/store.js';

const broken: CacheStore = {
  get: () => Promise.reject(new Error('ECONNREFUSED')),
  set: () => Promise.reject(new Error('ECONNREFUSED')),
  setIfAbsent: () => Promise.reject(new Error('ECONNREFUSED')),
  del: () => Promise.reject(new Error('ECONNREFUSED')),
  increment: () => Promise.reject(new Error('ECONNREFUSED')),
};

/** Never answers: a Redis that hangs. */
const hanging: CacheStore = {
  get: () => new Promise(() => undefined),
  set: () => new Promise(() => undefined),
  setIfAbsent: () => new Promise(() => undefined),
  del: () => new Promise(() => undefined),
  increment: () => new Promise(() => undefined),
};

describe('FailOpenStore', () => {
  it('passes answers of a working store through and counts nothing', async () => {
    const failures: string[] = [];
    const store = new FailOpenStore(new MemoryStore(10), { timeoutMs: 50, onFailure: (op) => failures.push(op) });
    await store.set('k', 'v', 1_000);
    expect(await store.get('k')).toBe('v');
    expect(await store.setIfAbsent('k', 'w', 1_000)).toBe(false);
    expect(await store.increment('n', 1_000)).toBe(1);
    expect(failures).toEqual([]);
  });

  it('turns every failure into its safe answer and counts each one', async () => {
    const failures: string[] = [];
    const store = new FailOpenStore(broken, { timeoutMs: 50, onFailure: (op, err) => failures.push(`${op}:${err.message}`) });
    expect(await store.get('k')).toBeNull();
    await expect(store.set('k', 'v', 1_000)).resolves.toBeUndefined();
    // Lock "taken": the caller goes upstream itself instead of waiting for nobody.
    expect(await store.setIfAbsent('k', 'v', 1_000)).toBe(true);
    await expect(store.del('k')).resolves.toBeUndefined();
    // Count 0: nobody is throttled because the counter is unreachable.
    expect(await store.increment('n', 1_000)).toBe(0);
    expect(failures).toEqual([
      `${StoreOp.Get}:ECONNREFUSED`,
      `${StoreOp.Set}:ECONNREFUSED`,
      `${StoreOp.Lock}:ECONNREFUSED`,
      `${StoreOp.Unlock}:ECONNREFUSED`,
      `${StoreOp.Increment}:ECONNREFUSED`,
    ]);
  });

  it('gives up on a store that does not answer within the timeout', async () => {
    const failures: string[] = [];
    const store = new FailOpenStore(hanging, { timeoutMs: 10, onFailure: (op, err) => failures.push(`${op}:${err.name}`) });
    expect(await store.get('k')).toBeNull();
    expect(failures).toEqual(['get:StoreTimeoutError']);
  });

  it('gives up on each of several hanging operations, in order, and on nothing that answered', async () => {
    const failures: string[] = [];
    let answer: (v: string | null) => void = () => undefined;
    const slow: CacheStore = { ...hanging, get: (key) => (key === 'late' ? new Promise((r) => (answer = r)) : hanging.get(key)) };
    const store = new FailOpenStore(
      { ...slow, set: (k, v, ttl) => (k === 'ok' ? Promise.resolve() : hanging.set(k, v, ttl)) },
      { timeoutMs: 10, onFailure: (op, err) => failures.push(`${op}:${err.name}`) },
    );
    const started = [store.get('a'), store.set('ok', 'v', 1_000), store.get('late'), store.setIfAbsent('b', 'v', 1_000)];
    const results = await Promise.all(started);
    expect(results).toEqual([null, undefined, null, true]);
    expect(failures).toEqual(['get:StoreTimeoutError', 'get:StoreTimeoutError', 'lock:StoreTimeoutError']);
    // An answer after the deadline changes nothing and is not counted again.
    answer('too late');
    await new Promise((r) => setImmediate(r));
    expect(failures).toHaveLength(3);
  });

  it('keeps giving up on time after going idle (its timer stops and starts again)', async () => {
    const failures: string[] = [];
    const store = new FailOpenStore(hanging, { timeoutMs: 4, onFailure: (op) => failures.push(op) });
    expect(await store.get('k')).toBeNull();
    await new Promise((r) => setTimeout(r, 30));
    const t0 = performance.now();
    expect(await store.increment('n', 1_000)).toBe(0);
    expect(performance.now() - t0).toBeLessThan(1_000);
    expect(failures).toEqual(['get', 'increment']);
  });

  it('counts a store that throws instead of rejecting', async () => {
    const failures: string[] = [];
    const throwing: CacheStore = {
      ...broken,
      get: () => {
        throw new Error('not connected');
      },
    };
    const store = new FailOpenStore(throwing, { timeoutMs: 50, onFailure: (op, err) => failures.push(`${op}:${err.message}`) });
    expect(await store.get('k')).toBeNull();
    expect(failures).toEqual(['get:not connected']);
  });
});
