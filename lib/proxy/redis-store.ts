import { Redis } from 'ioredis';
import type { CacheStore } from './store.js';

/** Options of the proxy's Redis connection. */
export interface RedisClientOptions {
  /** Called on connection errors (ioredis reconnects by itself). */
  onError?: (err: Error) => void;
}

/**
 * A client that connects now, queues commands only until the first connection, and reconnects.
 * No per-command or socket timeout: FailOpenStore bounds every wait without a timer per command
 * (which would cost every hit), and a dead connection is noticed by its close or TCP keep-alive.
 */
export function createRedisClient(url: string, options: RedisClientOptions = {}): Redis {
  const client = new Redis(url, {
    lazyConnect: false,
    connectTimeout: 2_000,
    // A command caught by a disconnect fails at once (the request fails open) instead of waiting.
    maxRetriesPerRequest: 0,
    retryStrategy: (times) => Math.min(times * 100, 2_000),
  });
  client.on('error', (err: Error) => options.onError?.(err));
  return client;
}

/** Reconnecting or closed: a command would only wait in the offline queue. */
const DOWN_STATES = new Set(['reconnecting', 'close', 'end']);

/**
 * CacheStore on Redis. The methods hand back ioredis's own promises rather than wrap them in
 * async functions: a cache hit is one GET, and each wrapper would add its turns of the microtask
 * queue to it.
 */
export class RedisStore implements CacheStore {
  constructor(private readonly redis: Redis) {}

  /** Fails fast while the connection is down, so a request does not wait for a timeout. */
  private down(): Promise<never> | null {
    const { status } = this.redis;
    return DOWN_STATES.has(status) ? Promise.reject(new Error(`redis connection is ${status}`)) : null;
  }

  get(key: string): Promise<string | null> {
    return this.down() ?? this.redis.get(key);
  }

  set(key: string, value: string, ttlMs: number): Promise<void> {
    return this.down() ?? this.redis.set(key, value, 'PX', ttlMs).then(() => undefined);
  }

  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    return this.down() ?? this.redis.set(key, value, 'PX', ttlMs, 'NX').then((reply) => reply === 'OK');
  }

  del(key: string): Promise<void> {
    return this.down() ?? this.redis.del(key).then(() => undefined);
  }

  async increment(key: string, ttlMs: number): Promise<number> {
    const down = this.down();
    if (down) return down;
    // One round trip; MULTI so the counter never exists without its expiry.
    const replies = await this.redis.multi().set(key, '0', 'PX', ttlMs, 'NX').incr(key).exec();
    const [, incr] = replies ?? [];
    if (!incr || incr[0]) throw incr?.[0] ?? new Error('redis MULTI was aborted');
    return Number(incr[1]);
  }
}

/** PING with a deadline: does a Redis answer at all? */
export async function redisAnswers(redis: Redis, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([
      redis.ping().then(
        (r) => r === 'PONG',
        () => false,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
