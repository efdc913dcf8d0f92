import { randomBytes } from 'node:crypto';
import { Cluster } from 'ioredis';
import { RedisClock, type RedisClient } from './redisConnection';
import {
  ETagConflictError,
  StateUnavailableError,
  type StateStore,
  type StateItem,
  type TurnEnd,
  type TurnFence,
  type Versioned,
} from './stateStore';
import { HAND_OVER, NOW_MS, REMEMBER, SEEN_SECONDS } from './turnScripts';

export interface RedisStateOptions {
  prefix?: string;
  /** Conversation state expires after this long without a turn (default 24 h). */
  conversationTtlSeconds?: number;
  /** A user's saved preferences (language) expire after this long (default 90 days). */
  userTtlSeconds?: number;
}

/**
 * A turn's state changes, all or none, and only in time. ARGV[1]: the Redis time (ms) after which the sender
 * has given up waiting, so the script must not change anything; ARGV[2]: the turn's ticket, or '' when the
 * write is not fenced; ARGV[3]: the digest of the activity to remember as handled ('' none) and ARGV[4] for how
 * many seconds; ARGV[5]: '1' to hand the conversation to the next turn. KEYS: the conversation's hash (its
 * queue) and the ticket's lease key when fenced, then one hash per item, whose ARGV are the expected eTag ('*'
 * for any), value, new eTag and TTL seconds, four per item from ARGV[6].
 * Returns { 1 } when written, { -1 } too late, { -2 } the turn no longer holds its conversation,
 * { 0, n } item n's eTag is no longer the expected one.
 */
const COMMIT = `
${NOW_MS}
${REMEMBER}
${HAND_OVER}
if now_ms > tonumber(ARGV[1]) then return { -1 } end
local first = 1
if ARGV[2] ~= '' then
  if redis.call('HGET', KEYS[1], 's') ~= ARGV[2] or redis.call('EXISTS', KEYS[2]) == 0 then return { -2 } end
  first = 3
end
for i = first, #KEYS do
  local expected = ARGV[6 + (i - first) * 4]
  local current = redis.call('HGET', KEYS[i], 'e')
  if expected ~= '*' and current and current ~= expected then return { 0, i - first + 1 } end
end
for i = first, #KEYS do
  local at = 6 + (i - first) * 4
  redis.call('HSET', KEYS[i], 'v', ARGV[at + 1], 'e', ARGV[at + 2])
  if tonumber(ARGV[at + 3]) > 0 then redis.call('EXPIRE', KEYS[i], ARGV[at + 3]) end
end
if first == 3 then
  remember(KEYS[1], ARGV[3], ARGV[4], now_ms)
  if ARGV[5] == '1' then hand_over(KEYS[1], KEYS[2], ARGV[2]) end
end
return { 1 }
`;

type Item = StateItem;

/**
 * Bot state in Redis: one hash (value and eTag) per botbuilder state key, tagged with that key. A conversation's
 * hash also holds its turn queue and the activities it handled (see RedisTurnGate), so a turn's write checks
 * its place in the queue, remembers the activity and lets the next turn in, all in the call that saves.
 */
export class RedisStateStore implements StateStore {
  readonly prefix: string;
  private readonly conversationTtl: number;
  private readonly userTtl: number;

  constructor(
    private readonly redis: RedisClient,
    options: RedisStateOptions = {},
  ) {
    this.prefix = options.prefix ?? 'helpdesk';
    this.conversationTtl = options.conversationTtlSeconds ?? 24 * 3600;
    this.userTtl = options.userTtlSeconds ?? 90 * 24 * 3600;
    this.redis.defineCommand('helpdeskCommit', { lua: COMMIT });
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
        const item = RedisStateStore.versioned(value, eTag);
        if (item) found[key] = item;
      });
    });
    return found;
  }

  async write(items: Item[], fence?: TurnFence, end?: TurnEnd): Promise<Record<string, string>> {
    const eTags: Record<string, string> = {};
    await this.guard(async () => {
      for (const group of this.groups(items, fence))
        Object.assign(eTags, await this.commit(group.items, group.fence, group.fence && end));
    });
    return eTags;
  }

  /** The conversation's seconds to live, for the gate to keep its queue as long as its state. */
  get conversationSeconds(): number {
    return this.conversationTtl;
  }

  /** Parses the value and eTag of a hash as Redis returned them; undefined when there is none. */
  static versioned(value: string | null | undefined, eTag: string | null | undefined): Versioned | undefined {
    return value && eTag ? { value: JSON.parse(value) as Record<string, unknown>, eTag } : undefined;
  }

  /**
   * One script call for all the items, except on a Cluster, where a script reaches one slot only: there the
   * items of each other slot (a user's state) are written first and the fenced conversation state last, so a
   * turn counts as done only once its conversation moved. A failure in between leaves at most the user's
   * saved language changed, the same language the turn's "try again" was said in.
   */
  private groups(items: Item[], fence?: TurnFence): Array<{ items: Item[]; fence?: TurnFence }> {
    if (!(this.redis instanceof Cluster) || !fence) return [{ items, ...(fence ? { fence } : {}) }];
    const bySlot = new Map<string, Item[]>();
    for (const item of items) {
      const tag = hashTag(this.redisKey(item.key));
      bySlot.set(tag, [...(bySlot.get(tag) ?? []), item]);
    }
    const fenced = hashTag(fence.serving);
    // The conversation's group ends the turn, so it is there even when only the user's state changed.
    if (!bySlot.has(fenced)) bySlot.set(fenced, []);
    return [...bySlot]
      .sort(([a], [b]) => Number(a === fenced) - Number(b === fenced))
      .map(([tag, group]) => ({ items: group, ...(tag === fenced ? { fence } : {}) }));
  }

  private async commit(items: Item[], fence?: TurnFence, end?: TurnEnd): Promise<Record<string, string>> {
    if (items.length === 0 && !end) return {};
    const eTags = items.map(() => newETag());
    const keys = [...(fence ? [fence.serving, fence.lease] : []), ...items.map((item) => this.redisKey(item.key))];
    const args = items.flatMap((item, index) => [
      item.expected && item.expected !== '*' ? item.expected : '*',
      JSON.stringify(item.value),
      eTags[index]!,
      this.ttlFor(item.key),
    ]);
    const deadline = await RedisClock.of(this.redis).deadline();
    let answer: [number, number?];
    try {
      answer = await (
        this.redis as unknown as { helpdeskCommit: (...args: unknown[]) => Promise<[number, number?]> }
      ).helpdeskCommit(
        keys.length,
        ...keys,
        deadline,
        fence ? String(fence.ticket) : '',
        end?.digest ?? '',
        SEEN_SECONDS,
        end?.release ? '1' : '',
        ...args,
      );
    } catch (error) {
      // No answer in time: it may have come while this process was too busy to read it. Redis answers in
      // order, so a read sent now says whether the write ran; if Redis cannot answer that either, the write's
      // deadline has passed and it can no longer run. (With nothing to save, nothing can be wrong either.)
      if (items.length === 0) throw error;
      const landed = await this.redis.hget(this.redisKey(items[0]!.key), 'e').catch(() => undefined);
      if (landed !== eTags[0]) throw error;
      answer = [1];
    }
    const [code, conflict] = answer;
    if (code === 0) throw new ETagConflictError(items[(conflict ?? 1) - 1]!.key);
    if (code === -1) throw new StateUnavailableError('the write reached Redis after its turn had given up on it');
    if (code === -2) throw new StateUnavailableError('the turn lost its place in the conversation queue');
    return Object.fromEntries(items.map((item, index) => [item.key, eTags[index]!]));
  }

  /** Forgets the items' values; a conversation's queue and handled activities stay until they expire. */
  async delete(keys: string[]): Promise<void> {
    await this.guard(() => Promise.all(keys.map((key) => this.redis.hdel(this.redisKey(key), 'v', 'e'))));
  }

  private async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof ETagConflictError || error instanceof StateUnavailableError) throw error;
      throw new StateUnavailableError(`Redis state unavailable: ${(error as Error).message}`);
    }
  }
}

/** This process's eTags: a random prefix, so no other process makes the same, and a counter. */
const ETAG_PREFIX = randomBytes(9).toString('base64url');
let eTags = 0;

/** An eTag no write has used before. */
function newETag(): string {
  return `${ETAG_PREFIX}${(++eTags).toString(36)}`;
}

/** The part of a key that picks its Cluster slot: the first non-empty {…}, else the whole key. */
export function hashTag(key: string): string {
  const open = key.indexOf('{');
  const close = open < 0 ? -1 : key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : key;
}
