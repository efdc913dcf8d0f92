/**
 * botbuilder's Storage interface on ioredis, for the benchmark's waterfall peer: the semantics of botbuilder's
 * MemoryStorage (an item written with an eTag other than "*" is refused when the stored item has another one;
 * every write gives the item a new eTag), with the item kept as one string, "<eTag>\n<JSON>", and a TTL.
 * Not part of the product.
 */
import { randomBytes } from 'node:crypto';
import type { Storage, StoreItems } from 'botbuilder';
import type { RedisClient } from '../src/state/redisConnection';

/** KEYS[1]: the item; ARGV: expected eTag ("" or "*" for any), the new "<eTag>\n<JSON>", TTL seconds. */
const WRITE = `
local expected = ARGV[1]
if expected ~= '' and expected ~= '*' then
  local current = redis.call('GET', KEYS[1])
  if current then
    local newline = string.find(current, '\\n', 1, true)
    if string.sub(current, 1, newline - 1) ~= expected then return 0 end
  end
end
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
return 1
`;

type WithWrite = RedisClient & {
  storageWrite(key: string, expected: string, value: string, ttl: number): Promise<number>;
};

export class RedisStorage implements Storage {
  private readonly redis: WithWrite;
  private counter = 0;
  private readonly instance = randomBytes(4).toString('hex');

  constructor(
    redis: RedisClient,
    private readonly prefix: string,
    private readonly ttlSeconds = 24 * 3600,
  ) {
    redis.defineCommand('storageWrite', { numberOfKeys: 1, lua: WRITE });
    this.redis = redis as WithWrite;
  }

  private key(key: string): string {
    return `${this.prefix}:state:{${key}}`;
  }

  async read(keys: string[]): Promise<StoreItems> {
    const items: StoreItems = {};
    if (keys.length === 0) return items;
    const values = await this.redis.mget(keys.map((key) => this.key(key)));
    keys.forEach((key, index) => {
      const value = values[index];
      if (!value) return;
      const newline = value.indexOf('\n');
      items[key] = { ...(JSON.parse(value.slice(newline + 1)) as object), eTag: value.slice(0, newline) };
    });
    return items;
  }

  async write(changes: StoreItems): Promise<void> {
    await Promise.all(
      Object.entries(changes).map(async ([key, change]) => {
        const { eTag: expected, ...value } = (change ?? {}) as Record<string, unknown> & { eTag?: string };
        const eTag = `${this.instance}${(++this.counter).toString(36)}`;
        const written = await this.redis.storageWrite(
          this.key(key),
          expected ?? '',
          `${eTag}\n${JSON.stringify(value)}`,
          this.ttlSeconds,
        );
        if (!written) throw new Error(`Storage: error writing "${key}" due to eTag conflict.`);
        if (change) change.eTag = eTag;
      }),
    );
  }

  async delete(keys: string[]): Promise<void> {
    if (keys.length) await this.redis.del(...keys.map((key) => this.key(key)));
  }
}
