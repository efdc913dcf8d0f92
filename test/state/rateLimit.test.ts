import { createRedis, type RedisClient } from '../../src/state/redisConnection';
import {
  MemoryBucketLimiter,
  MemoryWindowCounter,
  RedisBucketLimiter,
  RedisWindowCounter,
  WindowRateLimiter,
  type WindowCounter,
} from '../../src/state/rateLimit';
import { RedisServer } from '../support/redisServer';

let redis: RedisServer;
let client: RedisClient;

beforeAll(async () => {
  redis = await RedisServer.start();
  client = createRedis({ url: redis.url });
  await client.connect();
});
afterAll(async () => {
  client.disconnect();
  await redis.stop();
});

const HOUR = 3_600_000;

describe.each(['memory', 'redis'] as const)('counting requests in windows (%s)', (kind) => {
  let counter: WindowCounter;
  beforeEach(() => {
    counter =
      kind === 'memory'
        ? new MemoryWindowCounter()
        : new RedisWindowCounter(client, `counts-${Date.now()}-${Math.random()}`);
  });

  it('counts each key on its own, and says how long its window still runs', async () => {
    for (let count = 1; count <= 3; count++) expect((await counter.hit('a', HOUR)).count).toBe(count);
    const other = await counter.hit('b', HOUR);
    expect(other.count).toBe(1);
    expect(other.resetInMs).toBeGreaterThan(HOUR - 60_000);
    expect(other.resetInMs).toBeLessThanOrEqual(HOUR);
  });

  it('takes a refused request back, so it does not use up the allowance', async () => {
    await counter.hit('a', HOUR);
    await counter.hit('a', HOUR);
    await counter.unhit('a');
    expect((await counter.hit('a', HOUR)).count).toBe(2);
  });

  it('refuses a limiter’s requests past the limit until the window closes', async () => {
    const limiter = new WindowRateLimiter(counter, 2, HOUR);
    expect(await limiter.take('203.0.113.7')).toMatchObject({ allowed: true });
    expect(await limiter.take('203.0.113.7')).toMatchObject({ allowed: true });
    const refused = await limiter.take('203.0.113.7');
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterSeconds).toBeGreaterThan(3_500);
    expect(refused.retryAfterSeconds).toBeLessThanOrEqual(3_600);
    expect(await limiter.take('198.51.100.1')).toMatchObject({ allowed: true });
  });
});

describe('a window in memory', () => {
  it('opens with the first request and starts again from zero when it closes', async () => {
    let now = Date.parse('2026-03-10T09:10:00Z');
    const counter = new MemoryWindowCounter(() => now);
    await counter.hit('a', 60_000);
    now += 40_000;
    expect(await counter.hit('a', 60_000)).toEqual({ count: 2, resetInMs: 20_000 });
    now += 20_000;
    expect(await counter.hit('a', 60_000)).toEqual({ count: 1, resetInMs: 60_000 });
  });
});

describe('a window in Redis', () => {
  it('takes nothing back from a window that has already closed, and leaves no key behind', async () => {
    const counter = new RedisWindowCounter(client, `closed-${Date.now()}`);
    await counter.hit('a', 50);
    await new Promise((resolve) => setTimeout(resolve, 120));
    await counter.unhit('a');
    expect(await client.keys(`closed-*`)).toEqual([]);
    expect((await counter.hit('a', HOUR)).count).toBe(1);
  });
});

describe('the per-address chat allowance: a burst, then a sustained rate', () => {
  it('in memory: the burst at once, then one more each time the rate has refilled one', async () => {
    let now = 0;
    const limiter = new MemoryBucketLimiter({ burst: 3, perMinute: 6 }, () => now);
    const taken = await Promise.all([1, 2, 3, 4].map(() => limiter.take('203.0.113.7')));
    expect(taken.map((each) => each.allowed)).toEqual([true, true, true, false]);
    expect(taken[3]!.retryAfterSeconds).toBe(10);
    // Another address has its own bucket.
    expect((await limiter.take('203.0.113.8')).allowed).toBe(true);
    now += 9_000;
    expect(await limiter.take('203.0.113.7')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    now += 1_000;
    expect((await limiter.take('203.0.113.7')).allowed).toBe(true);
    // Never more than the burst, however long the address stayed away.
    now += 3_600_000;
    const later = await Promise.all([1, 2, 3, 4].map(() => limiter.take('203.0.113.7')));
    expect(later.map((each) => each.allowed)).toEqual([true, true, true, false]);
  });

  describe('in Redis, shared by the instances', () => {
    it('gives the burst once across two limiters, then says when the next one is due', async () => {
      const size = { burst: 2, perMinute: 6 };
      const first = new RedisBucketLimiter(client, 'test:bucket', size);
      const second = new RedisBucketLimiter(client, 'test:bucket', size);
      const taken = [await first.take('a'), await second.take('a'), await first.take('a')];
      expect(taken.map((each) => each.allowed)).toEqual([true, true, false]);
      expect(taken[2]!.retryAfterSeconds).toBeGreaterThanOrEqual(9);
      expect(taken[2]!.retryAfterSeconds).toBeLessThanOrEqual(10);
      expect(await client.pttl('test:bucket:a')).toBeGreaterThan(0);
    });
  });
});
