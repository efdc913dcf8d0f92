import type { RedisClient } from './redisConnection';

/**
 * Counts events per key in fixed windows: a key's window opens with its first event and lasts the given
 * time; after that the key starts again from zero. Keys that name their own window ("id|<start>") get
 * windows aligned to the clock.
 */
export interface WindowCounter {
  /** Counts one event; returns the count so far in the key's window and the milliseconds until it closes. */
  hit(key: string, windowMs: number): Promise<{ count: number; resetInMs: number }>;
  /** Takes back one event that was refused, so refused requests do not use up the allowance. */
  unhit(key: string): Promise<void>;
}

/** Windows in this process: enough for one instance. */
export class MemoryWindowCounter implements WindowCounter {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  async hit(key: string, windowMs: number) {
    const now = this.now();
    if (this.windows.size > 10_000) {
      for (const [name, window] of this.windows) if (window.resetAt <= now) this.windows.delete(name);
    }
    let window = this.windows.get(key);
    if (!window || window.resetAt <= now) {
      window = { count: 0, resetAt: now + windowMs };
      this.windows.set(key, window);
    }
    window.count += 1;
    return { count: window.count, resetInMs: window.resetAt - now };
  }

  async unhit(key: string) {
    const window = this.windows.get(key);
    if (window) window.count -= 1;
  }
}

/** Windows in Redis: one count shared by every instance behind the load balancer. */
export class RedisWindowCounter implements WindowCounter {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  async hit(key: string, windowMs: number) {
    const name = `${this.prefix}:${key}`;
    // One round trip; NX starts the window on the first event only.
    const results = await this.redis.multi().incr(name).pexpire(name, windowMs, 'NX').pttl(name).exec();
    const remaining = Number(results?.[2]?.[1]);
    return { count: Number(results?.[0]?.[1]), resetInMs: remaining > 0 ? remaining : windowMs };
  }

  async unhit(key: string) {
    // Only inside a window still open: a DECR after it closed would leave a -1 that never expires.
    await this.redis.eval(UNHIT, 1, `${this.prefix}:${key}`);
  }
}

const UNHIT = `
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
if count > 0 then return redis.call('DECR', KEYS[1]) end
return 0
`;

export interface RateDecision {
  allowed: boolean;
  /** When refused: seconds until the window resets. */
  retryAfterSeconds: number;
}

/** At most `limit` requests per key per window. */
export interface RateLimiter {
  take(key: string): Promise<RateDecision>;
}

/** At most `limit` requests per key in each window of a counter. */
export class WindowRateLimiter implements RateLimiter {
  constructor(
    private readonly counter: WindowCounter,
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  async take(key: string): Promise<RateDecision> {
    const { count, resetInMs } = await this.counter.hit(key, this.windowMs);
    return { allowed: count <= this.limit, retryAfterSeconds: Math.max(1, Math.ceil(resetInMs / 1000)) };
  }
}

/** A limit for one instance. */
export class MemoryRateLimiter extends WindowRateLimiter {
  constructor(limit: number, windowMs: number, now: () => number = Date.now) {
    super(new MemoryWindowCounter(now), limit, windowMs);
  }
}

/** A limit shared by every instance through Redis. */
export class RedisRateLimiter extends WindowRateLimiter {
  constructor(redis: RedisClient, prefix: string, limit: number, windowMs: number) {
    super(new RedisWindowCounter(redis, prefix), limit, windowMs);
  }
}
