import type { RedisClient } from '../state/redisConnection';

/** An activity as Direct Line and the Bot Connector carry it; only the fields this service reads are typed. */
export interface ChannelActivity {
  type: string;
  id?: string;
  timestamp?: string;
  channelId?: string;
  serviceUrl?: string;
  from?: { id: string; name?: string; role?: string };
  recipient?: { id: string; name?: string; role?: string };
  conversation?: { id: string };
  replyToId?: string;
  text?: string;
  [field: string]: unknown;
}

/** A watermark-ordered page of a conversation's activities, as GET .../activities and the stream return. */
export interface ActivitySet {
  activities: ChannelActivity[];
  watermark: string;
}

/**
 * Where the local Direct Line keeps its conversations: each an ordered log of activities numbered from 0
 * (the watermark after an activity is its number + 1), the newest `maxActivities` kept.
 */
export interface ConversationStore {
  /** Opens the conversation for this user, or finds it; false when it exists for another user. */
  open(conversationId: string, userId: string): Promise<boolean>;
  /** The conversation's user, if it exists; keeps it alive. */
  find(conversationId: string): Promise<string | undefined>;
  /**
   * Adds an activity, giving it its id and timestamp; tells the listeners. With `clientId` (the id the client gave
   * its activity), a second activity with the same one is not added: its id is the first one's, `repeated` true.
   */
  append(conversationId: string, activity: ChannelActivity, clientId?: string): Promise<Appended>;
  /** Replaces a kept activity's fields (updateActivity); false if it is not kept. */
  update(conversationId: string, activityId: string, activity: ChannelActivity): Promise<boolean>;
  /**
   * Remembers how the user's next message must be kept: masked, when the bot's last question asked for a
   * secret (`undefined` when it did not). Kept with the conversation, so any instance reads it.
   */
  setAnswerMask(conversationId: string, mask: AnswerMask | undefined): Promise<void>;
  answerMask(conversationId: string): Promise<AnswerMask | undefined>;
  /** The activities after `watermark` (all kept ones when it is missing or older than the oldest kept). */
  since(conversationId: string, watermark: string | undefined): Promise<ActivitySet>;
  /**
   * Calls `listener` with each activity appended from now on, from any instance, with its watermark; with
   * `undefined` when some may have been missed (the store lost and regained its connection), so the listener
   * reads what it lacks.
   */
  listen(conversationId: string, listener: Listener): Promise<() => void>;
  close(): Promise<void>;
}

/** An activity as the store keeps it; `repeated` when its client id had been added before (and it was not again). */
export type Appended = ChannelActivity & { id: string; repeated?: true };

/** How an answer to the bot's question is kept in the transcript (as the question's validator shows it back). */
export type AnswerMask = 'partial' | 'full';

export type Listener = (activity: ChannelActivity | undefined, watermark: number) => void;

export interface StoreLimits {
  maxActivities: number;
  /** The most a conversation's kept activities may add up to (as JSON); the oldest are dropped to make room. */
  maxBytes: number;
  idleSeconds: number;
  now: () => number;
}

const idOf = (conversationId: string, sequence: number) => `${conversationId}|${String(sequence).padStart(7, '0')}`;
const sequenceOf = (activityId: string) => Number(activityId.split('|').at(-1));
const parseWatermark = (watermark: string | undefined) =>
  watermark && /^\d{1,15}$/.test(watermark) ? Number(watermark) : 0;

interface MemoryConversation {
  userId: string;
  answerMask?: AnswerMask;
  /** The ids of the activities added so far under each client id. */
  clientIds: Map<string, string>;
  activities: ChannelActivity[];
  /** The size of each kept activity, as the byte cap counts it. */
  sizes: number[];
  dropped: number;
  touched: number;
  listeners: Set<Listener>;
}

/** In this process: one instance, or sticky sessions. */
export class MemoryConversationStore implements ConversationStore {
  private readonly conversations = new Map<string, MemoryConversation>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly limits: StoreLimits) {
    this.sweeper = setInterval(() => this.sweep(), 60_000).unref();
  }

  async open(conversationId: string, userId: string): Promise<boolean> {
    const found = this.conversations.get(conversationId);
    if (found) {
      found.touched = this.limits.now();
      return found.userId === userId;
    }
    this.conversations.set(conversationId, {
      userId,
      clientIds: new Map(),
      activities: [],
      sizes: [],
      dropped: 0,
      touched: this.limits.now(),
      listeners: new Set(),
    });
    return true;
  }

  async find(conversationId: string): Promise<string | undefined> {
    const found = this.conversations.get(conversationId);
    if (found) found.touched = this.limits.now();
    return found?.userId;
  }

  async append(conversationId: string, activity: ChannelActivity, clientId?: string): Promise<Appended> {
    const conversation = this.conversations.get(conversationId);
    if (!conversation) throw new Error(`no conversation ${conversationId}`);
    const earlier = clientId === undefined ? undefined : conversation.clientIds.get(clientId);
    if (earlier) return { ...activity, id: earlier, repeated: true };
    const sequence = conversation.dropped + conversation.activities.length;
    if (clientId !== undefined) conversation.clientIds.set(clientId, idOf(conversationId, sequence));
    const stored = {
      ...activity,
      id: idOf(conversationId, sequence),
      timestamp: new Date(this.limits.now()).toISOString(),
    };
    conversation.activities.push(stored);
    conversation.sizes.push(Buffer.byteLength(JSON.stringify(stored)));
    let bytes = conversation.sizes.reduce((sum, size) => sum + size, 0);
    while (
      conversation.activities.length > 1 &&
      (conversation.activities.length > this.limits.maxActivities || bytes > this.limits.maxBytes)
    ) {
      conversation.activities.shift();
      bytes -= conversation.sizes.shift()!;
      conversation.dropped += 1;
    }
    conversation.touched = this.limits.now();
    for (const listener of conversation.listeners) listener(stored, sequence + 1);
    return stored;
  }

  async update(conversationId: string, activityId: string, activity: ChannelActivity): Promise<boolean> {
    const conversation = this.conversations.get(conversationId);
    const index = conversation ? sequenceOf(activityId) - conversation.dropped : -1;
    if (
      !conversation ||
      !(index >= 0 && index < conversation.activities.length) ||
      conversation.activities[index]!.id !== activityId
    )
      return false;
    conversation.activities[index] = { ...conversation.activities[index]!, ...activity, id: activityId };
    conversation.sizes[index] = Buffer.byteLength(JSON.stringify(conversation.activities[index]));
    return true;
  }

  async setAnswerMask(conversationId: string, mask: AnswerMask | undefined): Promise<void> {
    const conversation = this.conversations.get(conversationId);
    if (!conversation) return;
    if (mask) conversation.answerMask = mask;
    else delete conversation.answerMask;
  }

  async answerMask(conversationId: string): Promise<AnswerMask | undefined> {
    return this.conversations.get(conversationId)?.answerMask;
  }

  async since(conversationId: string, watermark: string | undefined): Promise<ActivitySet> {
    const conversation = this.conversations.get(conversationId);
    if (!conversation) return { activities: [], watermark: watermark ?? '0' };
    const end = conversation.dropped + conversation.activities.length;
    const start = Math.max(Math.min(parseWatermark(watermark), end), conversation.dropped) - conversation.dropped;
    return { activities: conversation.activities.slice(start), watermark: String(end) };
  }

  async listen(conversationId: string, listener: Listener): Promise<() => void> {
    const conversation = this.conversations.get(conversationId);
    conversation?.listeners.add(listener);
    return () => conversation?.listeners.delete(listener);
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.conversations.clear();
  }

  private sweep(): void {
    const cutoff = this.limits.now() - this.limits.idleSeconds * 1000;
    for (const [id, conversation] of this.conversations) {
      if (conversation.touched < cutoff && conversation.listeners.size === 0) this.conversations.delete(id);
    }
  }
}

/**
 * Appends, trims (to the most activities and bytes kept) and announces in one step, so two instances never give
 * out or announce out of order.
 */
const APPEND = `
if ARGV[6] ~= '' then
  local earlier = redis.call('HGET', KEYS[5], ARGV[6])
  if earlier then return { tonumber(earlier), 1 } end
end
local count = redis.call('RPUSH', KEYS[1], ARGV[1])
local bytes = redis.call('INCRBY', KEYS[4], string.len(ARGV[1]))
local dropped = tonumber(redis.call('GET', KEYS[2]) or '0')
while count > 1 and (count > tonumber(ARGV[2]) or bytes > tonumber(ARGV[5])) do
  local oldest = redis.call('LPOP', KEYS[1])
  bytes = redis.call('DECRBY', KEYS[4], string.len(oldest))
  dropped = redis.call('INCR', KEYS[2])
  count = count - 1
end
local sequence = dropped + count - 1
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
redis.call('PEXPIRE', KEYS[3], ARGV[3])
redis.call('PEXPIRE', KEYS[4], ARGV[3])
if ARGV[6] ~= '' then
  redis.call('HSET', KEYS[5], ARGV[6], sequence)
  redis.call('PEXPIRE', KEYS[5], ARGV[3])
end
-- Published from inside the script: listeners hear activities in the order they were numbered.
redis.call('PUBLISH', ARGV[4], sequence .. ' ' .. ARGV[1])
return { sequence, 0 }
`;

/** The activities after a watermark, read against the same trim count. */
const SINCE = `
local dropped = tonumber(redis.call('GET', KEYS[2]) or '0')
local count = redis.call('LLEN', KEYS[1])
local from = math.max(math.min(tonumber(ARGV[1]), dropped + count), dropped) - dropped
return { tostring(dropped + count), redis.call('LRANGE', KEYS[1], from, -1) }
`;

/** Replaces the activity at a sequence number, if it is still kept. */
const UPDATE = `
local dropped = tonumber(redis.call('GET', KEYS[2]) or '0')
local index = tonumber(ARGV[1]) - dropped
if index < 0 or index >= redis.call('LLEN', KEYS[1]) then return 0 end
local before = redis.call('LINDEX', KEYS[1], index)
redis.call('LSET', KEYS[1], index, ARGV[2])
redis.call('INCRBY', KEYS[3], string.len(ARGV[2]) - string.len(before))
return 1
`;

/**
 * In Redis, shared by every instance: any instance can serve any request of a conversation, and a stream
 * on one instance hears what was posted on another (pub/sub). Keys carry the conversation id as a hash
 * tag, so a Cluster keeps each conversation's keys together.
 */
export class RedisConversationStore implements ConversationStore {
  private readonly subscriber: RedisClient;
  private connecting: Promise<void> | undefined;
  /** Per channel: its listeners, and the SUBSCRIBE every listener waits for. */
  private readonly channels = new Map<string, { listeners: Set<Listener>; subscribed: Promise<unknown> }>();

  constructor(
    private readonly redis: RedisClient,
    private readonly limits: StoreLimits,
    private readonly prefix = 'helpdesk:dl',
  ) {
    // Its own connection: a subscribed connection can do nothing else. ioredis subscribes again after a
    // reconnect; what was published in between is missed, so listeners are told to catch up.
    this.subscriber = redis.duplicate();
    this.subscriber.on('error', () => undefined);
    let connectedBefore = false;
    this.subscriber.on('ready', () => {
      if (connectedBefore)
        for (const { listeners } of this.channels.values()) for (const listener of listeners) listener(undefined, 0);
      connectedBefore = true;
    });
    this.subscriber.on('message', (channel: string, message: string) => {
      const found = this.channels.get(channel);
      if (!found) return;
      // "<sequence> <activity JSON>", as the append script published it.
      const space = message.indexOf(' ');
      const sequence = Number(message.slice(0, space));
      const conversationId = channel.slice(channel.indexOf('{') + 1, channel.lastIndexOf('}'));
      const activity = {
        ...(JSON.parse(message.slice(space + 1)) as ChannelActivity),
        id: idOf(conversationId, sequence),
      };
      for (const listener of found.listeners) listener(activity, sequence + 1);
    });
  }

  private keys(conversationId: string) {
    const tag = `${this.prefix}:{${conversationId}}`;
    return {
      log: `${tag}:log`,
      dropped: `${tag}:dropped`,
      user: `${tag}:user`,
      bytes: `${tag}:bytes`,
      channel: `${tag}:new`,
      answerMask: `${tag}:answer-mask`,
      clientIds: `${tag}:client-ids`,
    };
  }

  private get idleMs(): number {
    return this.limits.idleSeconds * 1000;
  }

  async open(conversationId: string, userId: string): Promise<boolean> {
    const { user } = this.keys(conversationId);
    const created = await this.redis.set(user, userId, 'PX', this.idleMs, 'NX');
    if (created) return true;
    return (await this.find(conversationId)) === userId;
  }

  async find(conversationId: string): Promise<string | undefined> {
    const { user, log, dropped, bytes, clientIds } = this.keys(conversationId);
    const [[, userId]] = (await this.redis
      .multi()
      .get(user)
      .pexpire(user, this.idleMs)
      .pexpire(log, this.idleMs)
      .pexpire(dropped, this.idleMs)
      .pexpire(bytes, this.idleMs)
      .pexpire(clientIds, this.idleMs)
      .exec()) as [[unknown, string | null]];
    return userId ?? undefined;
  }

  async append(conversationId: string, activity: ChannelActivity, clientId?: string): Promise<Appended> {
    const keys = this.keys(conversationId);
    const timestamp = new Date(this.limits.now()).toISOString();
    // The id depends on the number the script gives out; it is added on the way out, not stored.
    const [sequence, repeated] = (await this.redis.eval(
      APPEND,
      5,
      keys.log,
      keys.dropped,
      keys.user,
      keys.bytes,
      keys.clientIds,
      JSON.stringify({ ...activity, timestamp }),
      this.limits.maxActivities,
      this.idleMs,
      keys.channel,
      this.limits.maxBytes,
      clientId ?? '',
    )) as [number, number];
    const id = idOf(conversationId, Number(sequence));
    return repeated ? { ...activity, id, repeated: true } : { ...activity, id, timestamp };
  }

  async update(conversationId: string, activityId: string, activity: ChannelActivity): Promise<boolean> {
    const keys = this.keys(conversationId);
    const sequence = sequenceOf(activityId);
    const current = (await this.since(conversationId, String(sequence))).activities[0];
    if (!current || current.id !== activityId) return false;
    const { id: _id, ...rest } = { ...current, ...activity };
    const replaced = await this.redis.eval(
      UPDATE,
      3,
      keys.log,
      keys.dropped,
      keys.bytes,
      sequence,
      JSON.stringify(rest),
    );
    return Number(replaced) === 1;
  }

  async setAnswerMask(conversationId: string, mask: AnswerMask | undefined): Promise<void> {
    const { answerMask } = this.keys(conversationId);
    if (mask) await this.redis.set(answerMask, mask, 'PX', this.idleMs);
    else await this.redis.del(answerMask);
  }

  async answerMask(conversationId: string): Promise<AnswerMask | undefined> {
    const mask = await this.redis.get(this.keys(conversationId).answerMask);
    return mask === 'partial' || mask === 'full' ? mask : undefined;
  }

  async since(conversationId: string, watermark: string | undefined): Promise<ActivitySet> {
    const keys = this.keys(conversationId);
    const [end, entries] = (await this.redis.eval(SINCE, 2, keys.log, keys.dropped, parseWatermark(watermark))) as [
      string,
      string[],
    ];
    const first = Number(end) - entries.length;
    return {
      activities: entries.map((entry, index) => ({
        ...(JSON.parse(entry) as ChannelActivity),
        id: idOf(conversationId, first + index),
      })),
      watermark: end,
    };
  }

  async listen(conversationId: string, listener: Listener): Promise<() => void> {
    const { channel } = this.keys(conversationId);
    let found = this.channels.get(channel);
    if (!found) {
      const entry = {
        listeners: new Set<Listener>(),
        subscribed: this.connect().then(() => this.subscriber.subscribe(channel)),
      };
      // A failed SUBSCRIBE is forgotten, so the next listener tries again.
      entry.subscribed.catch(() => this.channels.get(channel) === entry && this.channels.delete(channel));
      this.channels.set(channel, entry);
      found = entry;
    }
    found.listeners.add(listener);
    const stop = () => {
      found.listeners.delete(listener);
      if (found.listeners.size === 0 && this.channels.get(channel) === found) {
        this.channels.delete(channel);
        void found.subscribed.then(() => this.subscriber.unsubscribe(channel)).catch(() => undefined);
      }
    };
    try {
      await found.subscribed;
    } catch (error) {
      stop();
      throw error;
    }
    return stop;
  }

  private connect(): Promise<void> {
    if (this.subscriber.status === 'wait') this.connecting ??= this.subscriber.connect();
    return this.connecting ?? Promise.resolve();
  }

  async close(): Promise<void> {
    this.channels.clear();
    this.subscriber.disconnect();
  }
}
