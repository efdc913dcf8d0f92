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

/**
 * A token bucket per key: up to `burst` at once, then `perMinute` as the bucket fills again. Sized for many people
 * behind one address (a school or exam-centre network): a room may start its chats together, a flood may not last.
 */
export interface BucketSize {
  burst: number;
  perMinute: number;
}

/** How long until the bucket holds one token again, in whole seconds (at least one). */
const secondsUntilOne = (tokens: number, perMs: number) => Math.max(1, Math.ceil((1 - tokens) / perMs / 1000));

/** Buckets in this process: enough for one instance. */
export class MemoryBucketLimiter implements RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly perMs: number;

  constructor(
    private readonly size: BucketSize,
    private readonly now: () => number = Date.now,
  ) {
    this.perMs = size.perMinute / 60_000;
  }

  async take(key: string): Promise<RateDecision> {
    const now = this.now();
    if (this.buckets.size > 10_000) {
      for (const [name, bucket] of this.buckets)
        if (this.fill(bucket, now) >= this.size.burst) this.buckets.delete(name);
    }
    const bucket = this.buckets.get(key) ?? { tokens: this.size.burst, at: now };
    bucket.tokens = this.fill(bucket, now);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens < 1) return { allowed: false, retryAfterSeconds: secondsUntilOne(bucket.tokens, this.perMs) };
    bucket.tokens -= 1;
    return { allowed: true, retryAfterSeconds: 0 };
  }

  private fill(bucket: { tokens: number; at: number }, now: number): number {
    return Math.min(this.size.burst, bucket.tokens + (now - bucket.at) * this.perMs);
  }
}

/** Takes one token if there is one, on Redis's own clock; answers { allowed, tokens left × 1000 }. */
const TAKE = `
local burst = tonumber(ARGV[1])
local perMs = tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * perMs)
local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / perMs) + 1000)
return { allowed, math.floor(tokens * 1000) }
`;

/** Buckets in Redis: one budget per address shared by every instance behind the load balancer. */
export class RedisBucketLimiter implements RateLimiter {
  private readonly perMs: number;

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly size: BucketSize,
  ) {
    this.perMs = size.perMinute / 60_000;
  }

  async take(key: string): Promise<RateDecision> {
    const [allowed, milliTokens] = (await this.redis.eval(
      TAKE,
      1,
      `${this.prefix}:${key}`,
      this.size.burst,
      this.perMs,
    )) as [number, number];
    return allowed === 1
      ? { allowed: true, retryAfterSeconds: 0 }
      : { allowed: false, retryAfterSeconds: secondsUntilOne(milliTokens / 1000, this.perMs) };
  }
}
