import { RateLimitedError } from '../../../lib/proxy/errors.js';
import { MemoryStore } from '../../../lib/proxy/memory-store.js';
import { RateLimiter } from '../../../lib/proxy/rate-limit.js';
import { manualClock } from './support.js';

describe('RateLimiter', () => {
  it('admits `perMinute` requests of a key per minute, then answers 429 until the minute ends', async () => {
    const clock = manualClock(1_800_000_000_000); // on a minute boundary
    const limiter = new RateLimiter(new MemoryStore(100, clock), 3, 't:', clock);
    for (let i = 0; i < 3; i++) await limiter.admit('key-a');
    clock.advance(15_000);
    const err = await limiter.admit('key-a').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect(err).toMatchObject({ status: 429, retryAfterSeconds: 45 });
    expect((err as RateLimitedError).headers()).toEqual({ 'retry-after': '45' });
    // Another key has its own budget.
    await expect(limiter.admit('key-b')).resolves.toBeUndefined();
    clock.advance(45_000);
    await expect(limiter.admit('key-a')).resolves.toBeUndefined();
  });

  it('limits nobody when off or when auth is off', async () => {
    const clock = manualClock();
    const store = new MemoryStore(100, clock);
    const off = new RateLimiter(store, 0, 't:', clock);
    const on = new RateLimiter(store, 1, 't:', clock);
    for (let i = 0; i < 5; i++) {
      await off.admit('key-a');
      await on.admit(null);
    }
    expect(await store.get(`t:rate:key-a:${Math.floor(clock.now() / 60_000)}`)).toBeNull();
  });
});
