import { encodeAnswer, type UpstreamAnswer } from '../../../lib/proxy/answer.js';
import { fillAcrossInstances } from '../../../lib/proxy/fill.js';
import { MemoryStore } from '../../../lib/proxy/memory-store.js';

const ok = (body: string): UpstreamAnswer => ({ status: 200, contentType: 'application/json', body });
const options = { ttlMs: 60_000, lockTtlMs: 1_000, pollMs: 5, owner: 'test' };

describe('fillAcrossInstances', () => {
  it('takes the lock, calls upstream, stores the answer and releases the lock', async () => {
    const store = new MemoryStore(10);
    let calls = 0;
    const filled = await fillAcrossInstances(store, 'k', async () => (calls++, ok('"a"')), options);
    expect(filled).toEqual({ answer: ok('"a"'), fromCache: false });
    expect(calls).toBe(1);
    expect(await store.get('k')).toBe(encodeAnswer(ok('"a"')));
    expect(await store.get('k:lock')).toBeNull();
  });

  it('waits for the instance holding the lock and reads its answer from the cache', async () => {
    const store = new MemoryStore(10);
    await store.setIfAbsent('k:lock', 'other-instance', 1_000);
    let calls = 0;
    const waiting = fillAcrossInstances(store, 'k', async () => (calls++, ok('"mine"')), options);
    // The other instance finishes: answer stored, lock released.
    setTimeout(() => {
      void store.set('k', encodeAnswer(ok('"theirs"')), 60_000).then(() => store.del('k:lock'));
    }, 15);
    await expect(waiting).resolves.toEqual({ answer: ok('"theirs"'), fromCache: true });
    expect(calls).toBe(0);
  });

  it('calls upstream itself when the lock holder gave up without an answer', async () => {
    const store = new MemoryStore(10);
    await store.setIfAbsent('k:lock', 'other-instance', 1_000);
    setTimeout(() => void store.del('k:lock'), 15);
    await expect(fillAcrossInstances(store, 'k', async () => ok('"mine"'), options)).resolves.toEqual({
      answer: ok('"mine"'),
      fromCache: false,
    });
  });

  it('never stores an error answer, and releases the lock when upstream throws', async () => {
    const store = new MemoryStore(10);
    const bad: UpstreamAnswer = { status: 400, contentType: 'application/json', body: '{"error":"x"}' };
    await expect(fillAcrossInstances(store, 'k', async () => bad, options)).resolves.toEqual({ answer: bad, fromCache: false });
    expect(await store.get('k')).toBeNull();
    await expect(fillAcrossInstances(store, 'k', () => Promise.reject(new Error('502')), options)).rejects.toThrow('502');
    expect(await store.get('k:lock')).toBeNull();
  });
});

describe('fillAcrossInstances, racing the lock holder', () => {
  it('reads the answer stored between its look at the cache and its look at the lock', async () => {
    const store = new MemoryStore(10);
    await store.setIfAbsent('k:lock', 'other-instance', 1_000);
    // The other instance stores its answer and releases the lock right after this waiter's
    // first look at the cache (a miss) and before its look at the lock.
    const racing = {
      ...store,
      get: async (key: string) => {
        const value = await store.get(key);
        if (key === 'k' && value === null) {
          await store.set('k', encodeAnswer(ok('"theirs"')), 60_000);
          await store.del('k:lock');
        }
        return value;
      },
      setIfAbsent: store.setIfAbsent.bind(store),
      set: store.set.bind(store),
      del: store.del.bind(store),
      increment: store.increment.bind(store),
    };
    let calls = 0;
    await expect(fillAcrossInstances(racing, 'k', async () => (calls++, ok('"mine"')), options)).resolves.toEqual({
      answer: ok('"theirs"'),
      fromCache: true,
    });
    expect(calls).toBe(0);
  });
});
