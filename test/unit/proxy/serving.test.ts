import { NotServingError, UnknownEnvironmentError } from '../../../lib/proxy/errors.js';
import { ServingCache } from '../../../lib/proxy/serving.js';
import type { Serving } from '../../../lib/state/types.js';
import { manualClock, serving } from './support.js';

function lookup(records: Record<string, Serving>) {
  const reads: string[] = [];
  return {
    reads,
    getServing: async (env: string) => {
      reads.push(env);
      return records[env] ?? null;
    },
  };
}

describe('ServingCache', () => {
  it('remembers the serving version for its TTL, then reads it again', async () => {
    const clock = manualClock();
    const records = { prod: serving('prod', '1.0.0', 'http://127.0.0.1:1') };
    const l = lookup(records);
    const cache = new ServingCache(l, 2_000, clock);
    expect((await cache.get('prod')).version).toBe('1.0.0');
    records.prod = serving('prod', '1.1.0', 'http://127.0.0.1:1');
    clock.advance(1_999);
    expect((await cache.get('prod')).version).toBe('1.0.0');
    clock.advance(2);
    expect((await cache.get('prod')).version).toBe('1.1.0');
    expect(l.reads).toEqual(['prod', 'prod']);
  });

  it('knows a remembered record without a promise, only while it is fresh', async () => {
    const clock = manualClock();
    const l = lookup({ prod: serving('prod', '1.0.0', 'http://127.0.0.1:1') });
    const cache = new ServingCache(l, 2_000, clock);
    expect(cache.known('prod')).toBeUndefined();
    await cache.get('prod');
    expect(cache.known('prod')?.version).toBe('1.0.0');
    clock.advance(2_001);
    expect(cache.known('prod')).toBeUndefined();
    await expect(cache.get('nowhere')).rejects.toBeInstanceOf(UnknownEnvironmentError);
    expect(cache.known('nowhere')).toBeUndefined();
    expect(new ServingCache(l, 0).known('prod')).toBeUndefined();
  });

  it('shares one read among concurrent first requests', async () => {
    const l = lookup({ prod: serving('prod', '1.0.0', 'http://127.0.0.1:1') });
    const cache = new ServingCache(l, 2_000, manualClock());
    await Promise.all([cache.get('prod'), cache.get('prod'), cache.get('prod')]);
    expect(l.reads).toEqual(['prod']);
  });

  it('reads every time with a TTL of 0', async () => {
    const l = lookup({ prod: serving('prod', '1.0.0', 'http://127.0.0.1:1') });
    const cache = new ServingCache(l, 0);
    await cache.get('prod');
    await cache.get('prod');
    expect(l.reads).toHaveLength(2);
  });

  it('answers 404 for an environment nothing serves and 503 when the state cannot be read', async () => {
    const cache = new ServingCache(lookup({}), 2_000, manualClock());
    await expect(cache.get('nowhere')).rejects.toBeInstanceOf(UnknownEnvironmentError);
    const broken = new ServingCache({ getServing: () => Promise.reject(new Error('S3 503')) }, 2_000, manualClock());
    const err = await broken.get('prod').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotServingError);
    expect((err as Error).message).toContain('S3 503');
  });
});
