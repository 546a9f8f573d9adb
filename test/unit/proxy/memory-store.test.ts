import { MemoryStore } from '../../../lib/proxy/memory-store.js';
import { manualClock } from './support.js';

describe('MemoryStore', () => {
  it('returns a value until its TTL ends, then nothing', async () => {
    const clock = manualClock();
    const store = new MemoryStore(10, clock);
    await store.set('k', 'v', 1_000);
    clock.advance(999);
    expect(await store.get('k')).toBe('v');
    clock.advance(2);
    expect(await store.get('k')).toBeNull();
  });

  it('creates a key only when absent (the lock) and deletes it', async () => {
    const clock = manualClock();
    const store = new MemoryStore(10, clock);
    expect(await store.setIfAbsent('lock', 'a', 100)).toBe(true);
    expect(await store.setIfAbsent('lock', 'b', 100)).toBe(false);
    await store.del('lock');
    expect(await store.setIfAbsent('lock', 'c', 100)).toBe(true);
    clock.advance(101);
    expect(await store.setIfAbsent('lock', 'd', 100)).toBe(true);
  });

  it('counts within a window that later increments do not extend', async () => {
    const clock = manualClock();
    const store = new MemoryStore(10, clock);
    expect(await store.increment('n', 1_000)).toBe(1);
    clock.advance(600);
    expect(await store.increment('n', 1_000)).toBe(2);
    clock.advance(500);
    expect(await store.increment('n', 1_000)).toBe(1);
  });

  it('keeps at most maxEntries, dropping the least recently used', async () => {
    const store = new MemoryStore(2);
    await store.set('a', '1', 10_000);
    await store.set('b', '2', 10_000);
    await store.get('a');
    await store.set('c', '3', 10_000);
    expect([await store.get('a'), await store.get('b'), await store.get('c')]).toEqual(['1', null, '3']);
  });
});
