import type { RedisClient } from './redisConnection';

export interface RateDecision {
  allowed: boolean;
  /** When refused: seconds until the window resets. */
  retryAfterSeconds: number;
}

/** At most `limit` requests per key per window. */
export interface RateLimiter {
  take(key: string): Promise<RateDecision>;
}

/** Fixed windows in this process: enough for one instance. */
export class MemoryRateLimiter implements RateLimiter {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async take(key: string): Promise<RateDecision> {
    const now = this.now();
    if (this.windows.size > 10_000) for (const [name, window] of this.windows) if (window.resetAt <= now) this.windows.delete(name);
    let window = this.windows.get(key);
    if (!window || window.resetAt <= now) {
      window = { count: 0, resetAt: now + this.windowMs };
      this.windows.set(key, window);
    }
    window.count += 1;
    return decision(window.count, this.limit, window.resetAt - now);
  }
}

/** Fixed windows in Redis: one budget shared by every instance behind the load balancer. */
export class RedisRateLimiter implements RateLimiter {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  async take(key: string): Promise<RateDecision> {
    const name = `${this.prefix}:${key}`;
    // One round trip; NX starts the window on the first request only.
    const results = await this.redis.multi().incr(name).pexpire(name, this.windowMs, 'NX').pttl(name).exec();
    const count = Number(results?.[0]?.[1]);
    const remaining = Number(results?.[2]?.[1]);
    return decision(count, this.limit, remaining > 0 ? remaining : this.windowMs);
  }
}

function decision(count: number, limit: number, resetInMs: number): RateDecision {
  return { allowed: count <= limit, retryAfterSeconds: Math.max(1, Math.ceil(resetInMs / 1000)) };
}
