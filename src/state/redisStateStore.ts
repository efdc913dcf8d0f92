import { randomBytes } from 'node:crypto';
import type { RedisClient } from './redisConnection';
import { ETagConflictError, StateUnavailableError, type StateStore, type Versioned } from './stateStore';

export interface RedisStateOptions {
  prefix?: string;
  /** Conversation state expires after this long without a turn (default 24 h). */
  conversationTtlSeconds?: number;
  /** A user's saved preferences (language) expire after this long (default 90 days). */
  userTtlSeconds?: number;
}

/** Compare-and-set in one step: write only if the stored eTag is the expected one (or none is expected). */
const WRITE = `
local current = redis.call('HGET', KEYS[1], 'e')
if ARGV[1] ~= '*' and current and current ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'v', ARGV[2], 'e', ARGV[3])
if tonumber(ARGV[4]) > 0 then redis.call('EXPIRE', KEYS[1], ARGV[4]) end
return 1
`;

/**
 * Bot state in Redis: one hash (value and eTag) per botbuilder state key. Each command and script touches
 * that one key only, so it works on a Cluster too.
 */
export class RedisStateStore implements StateStore {
  private readonly prefix: string;
  private readonly conversationTtl: number;
  private readonly userTtl: number;

  constructor(
    private readonly redis: RedisClient,
    options: RedisStateOptions = {},
  ) {
    this.prefix = options.prefix ?? 'helpdesk';
    this.conversationTtl = options.conversationTtlSeconds ?? 24 * 3600;
    this.userTtl = options.userTtlSeconds ?? 90 * 24 * 3600;
    this.redis.defineCommand('helpdeskWrite', { numberOfKeys: 1, lua: WRITE });
  }

  /** "msteams/conversations/abc" → "helpdesk:state:{msteams/conversations/abc}". */
  redisKey(key: string): string {
    return `${this.prefix}:state:{${key}}`;
  }

  private ttlFor(key: string): number {
    return /\/users\//.test(key) ? this.userTtl : this.conversationTtl;
  }

  async read(keys: string[]): Promise<Record<string, Versioned>> {
    const found: Record<string, Versioned> = {};
    await this.guard(async () => {
      const values = await Promise.all(keys.map((key) => this.redis.hmget(this.redisKey(key), 'v', 'e')));
      keys.forEach((key, index) => {
        const [value, eTag] = values[index]!;
        if (value && eTag) found[key] = { value: JSON.parse(value) as Record<string, unknown>, eTag };
      });
    });
    return found;
  }

  async write(
    items: Array<{ key: string; value: Record<string, unknown>; expected?: string }>,
  ): Promise<Record<string, string>> {
    const eTags: Record<string, string> = {};
    await this.guard(async () => {
      for (const item of items) {
        const eTag = randomBytes(9).toString('base64url');
        const written = await (
          this.redis as unknown as { helpdeskWrite: (...args: unknown[]) => Promise<number> }
        ).helpdeskWrite(
          this.redisKey(item.key),
          item.expected && item.expected !== '*' ? item.expected : '*',
          JSON.stringify(item.value),
          eTag,
          this.ttlFor(item.key),
        );
        if (written !== 1) throw new ETagConflictError(item.key);
        eTags[item.key] = eTag;
      }
    });
    return eTags;
  }

  async delete(keys: string[]): Promise<void> {
    await this.guard(() => Promise.all(keys.map((key) => this.redis.del(this.redisKey(key)))));
  }

  private async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof ETagConflictError) throw error;
      throw new StateUnavailableError(`Redis state unavailable: ${(error as Error).message}`);
    }
  }
}
