import { Cluster } from 'ioredis';
import { RedisClock, type RedisClient } from './redisConnection';
import { hashTag, RedisStateStore } from './redisStateStore';
import { StateUnavailableError, type StateItem, type TurnFence, type Versioned } from './stateStore';
import { activityDigest, HAND_OVER, HANDLED, NOW_MS, REMEMBER, SEEN_SECONDS } from './turnScripts';

export { SEEN_SECONDS };

export type GateResult<T> = { duplicate: true } | { duplicate: false; value: T };

/** A turn's state, for a gate that reads and writes it in the calls that begin and end the turn. */
export interface TurnIO {
  /** The state items asked for, as stored when the turn was let in (absent when there are none). */
  items: Record<string, Versioned>;
  /**
   * Saves the turn's changes (compare-and-set, fenced), remembers the activity as handled and, when `release`,
   * lets the next turn of the conversation in: one call. Throws like StateStore.write.
   */
  finish(items: StateItem[], release: boolean): Promise<void>;
}

/**
 * Runs the turns of one conversation one at a time, in the order they arrived, and skips an activity
 * that was already processed (channels redeliver). Turns of different conversations run side by side.
 * `work` gets the turn's fence when the gate has one, for the state write to prove the turn still holds
 * the conversation, and, when the gate keeps the state too, the items named in `read` and the way to save.
 * Name the conversation by its state key, so the two share a Cluster slot.
 */
export interface TurnGate {
  run<T>(
    conversation: string,
    activityId: string | undefined,
    work: (fence?: TurnFence, io?: TurnIO) => Promise<T>,
    read?: string[],
  ): Promise<GateResult<T>>;
  close(): Promise<void>;
}

/** The embedded default: one process, a promise chain per conversation. */
export class InProcessTurnGate implements TurnGate {
  private readonly tails = new Map<string, Promise<unknown>>();
  private readonly seen = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  async run<T>(
    conversation: string,
    activityId: string | undefined,
    work: (fence?: TurnFence, io?: TurnIO) => Promise<T>,
  ): Promise<GateResult<T>> {
    const previous = this.tails.get(conversation) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => mine);
    this.tails.set(conversation, tail);
    await previous;
    try {
      const id = activityId && `${conversation}|${activityId}`;
      if (id && (this.seen.get(id) ?? 0) > this.now()) return { duplicate: true };
      const value = await work();
      if (id) this.remember(id);
      return { duplicate: false, value };
    } finally {
      release();
      if (this.tails.get(conversation) === tail) this.tails.delete(conversation);
    }
  }

  async close(): Promise<void> {}

  private remember(id: string): void {
    const now = this.now();
    this.seen.set(id, now + SEEN_SECONDS * 1000);
    if (this.seen.size > 10_000) for (const [key, until] of this.seen) if (until <= now) this.seen.delete(key);
  }
}

/** \`read_items(answer)\`: appends the value and eTag ('' for none) of each hash in KEYS[2..]. */
const READ_ITEMS = `
local function read_items(answer)
  for i = 2, #KEYS do
    local item = redis.call('HMGET', KEYS[i], 'v', 'e')
    answer[#answer + 1] = item[1] or ''
    answer[#answer + 1] = item[2] or ''
  end
end
`;

/**
 * Takes a ticket (the turn's place in the queue, with a lease that says its holder is alive) and tries at once,
 * so an uncontended turn needs one round trip. KEYS[1]: the conversation's hash (queue and handled activities),
 * KEYS[2..]: hashes to read when it is this turn's go. ARGV: lease key prefix, lease ms, the hash's seconds to
 * live, the activity's digest ('' none), the Redis time (ms) after which the sender has given up.
 * Returns { ticket, state, Redis TIME, value and eTag of each hash read }, state as TRY's; or state -3 and no
 * ticket when it ran too late: a ticket nobody waits for would hold up the conversation until its lease ran out.
 */
const TAKE = `
${NOW_MS}
${HANDLED}
${READ_ITEMS}
if now_ms > tonumber(ARGV[5]) then return { 0, -3, clock[1], clock[2] } end
local ticket = redis.call('HINCRBY', KEYS[1], 'n', 1)
redis.call('SET', ARGV[1] .. ticket, '1', 'PX', ARGV[2])
local serving = tonumber(redis.call('HGET', KEYS[1], 's') or ticket)
while serving < ticket and redis.call('EXISTS', ARGV[1] .. serving) == 0 do serving = serving + 1 end
redis.call('HSET', KEYS[1], 's', serving)
redis.call('EXPIRE', KEYS[1], ARGV[3])
local answer = { ticket, 0, clock[1], clock[2] }
if serving == ticket then
  if handled(KEYS[1], ARGV[4], now_ms) then answer[2] = 2 else
    answer[2] = 1
    read_items(answer)
  end
end
return answer
`;

/**
 * Is it this ticket's turn? Tickets ahead whose holder died (lease expired) are skipped. KEYS as TAKE's;
 * ARGV: lease key prefix, ticket, the activity's digest. Returns { 1, value and eTag of each hash read }: go,
 * { 2 }: go but already handled, { 0 }: wait, { -1 }: skipped ourselves.
 */
const TRY = `
${NOW_MS}
${HANDLED}
${READ_ITEMS}
local ticket = tonumber(ARGV[2])
local serving = tonumber(redis.call('HGET', KEYS[1], 's') or ARGV[2])
while serving < ticket and redis.call('EXISTS', ARGV[1] .. serving) == 0 do serving = serving + 1 end
redis.call('HSET', KEYS[1], 's', serving)
if serving == ticket then
  if handled(KEYS[1], ARGV[3], now_ms) then return { 2 } end
  local answer = { 1 }
  read_items(answer)
  return answer
end
if serving > ticket then return { -1 } end
return { 0 }
`;

/**
 * Done without a save that ended the turn: remember the activity (when it was processed), drop the lease and
 * let the next ticket go. KEYS: the conversation's hash, the ticket's lease; ARGV: ticket, digest, seconds.
 */
const RELEASE = `
${NOW_MS}
${REMEMBER}
${HAND_OVER}
remember(KEYS[1], ARGV[2], ARGV[3], now_ms)
hand_over(KEYS[1], KEYS[2], ARGV[1])
return 1
`;

type Scripts = {
  gateTake(keys: number, ...args: Array<string | number>): Promise<Array<number | string>>;
  gateTry(keys: number, ...args: Array<string | number>): Promise<Array<number | string>>;
  gateRelease(hash: string, lease: string, ticket: number, digest: string, seconds: number): Promise<number>;
};

export interface RedisTurnGateOptions {
  prefix?: string;
  /** A holder that stops renewing (crashed) loses its place after this long (default 5 s). */
  leaseMs?: number;
  /** How long a turn waits for the ones ahead of it before giving up (default 4 s). */
  maxWaitMs?: number;
  /**
   * The bot state's store: given, a turn's states are read in the call that lets it in and saved in the call
   * that ends it (TurnIO). Its prefix is the gate's.
   */
  store?: RedisStateStore;
}

interface Held {
  hash: string;
  lease: string;
  ticket: number;
}

/**
 * Per-conversation order across instances: a ticket queue in Redis, in the conversation's state hash. Each turn
 * takes a ticket (HINCRBY, so tickets follow arrival order), waits until the queue is serving it, runs, and
 * hands over to the next. A lease, renewed while the turn waits and runs, lets the others skip a holder that
 * died. With the state store, an uncontended turn costs two calls: one that takes its ticket, checks for a
 * redelivery and reads the states, and the store's write that saves, remembers the activity and hands over.
 */
export class RedisTurnGate implements TurnGate {
  private readonly prefix: string;
  private readonly leaseMs: number;
  private readonly maxWaitMs: number;
  private readonly ttl: number;
  private readonly store: RedisStateStore | undefined;
  private readonly held = new Set<Held>();

  constructor(
    private readonly redis: RedisClient,
    options: RedisTurnGateOptions = {},
  ) {
    this.store = options.store;
    this.prefix = options.store?.prefix ?? options.prefix ?? 'helpdesk';
    this.leaseMs = options.leaseMs ?? 5000;
    this.maxWaitMs = options.maxWaitMs ?? 4000;
    this.ttl = options.store?.conversationSeconds ?? 24 * 3600;
    redis.defineCommand('gateTake', { lua: TAKE });
    redis.defineCommand('gateTry', { lua: TRY });
    redis.defineCommand('gateRelease', { numberOfKeys: 2, lua: RELEASE });
  }

  private get scripts(): Scripts {
    return this.redis as unknown as Scripts;
  }

  /** The Redis key of a state item: the store's naming, which is also where a conversation keeps its queue. */
  private keyOf(key: string): string {
    return `${this.prefix}:state:{${key}}`;
  }

  async run<T>(
    conversation: string,
    activityId: string | undefined,
    work: (fence?: TurnFence, io?: TurnIO) => Promise<T>,
    read: string[] = [],
  ): Promise<GateResult<T>> {
    const store = this.store;
    const hash = this.keyOf(conversation);
    const leases = `${this.prefix}:lease:{${conversation}}:`;
    const digest = activityId ? activityDigest(activityId) : '';
    // A script reaches one Cluster slot: items of another slot (a user's state) are read once the turn is in.
    const wanted = store ? read : [];
    const near = wanted.filter((key) => !(this.redis instanceof Cluster) || hashTag(this.keyOf(key)) === conversation);
    const far = wanted.filter((key) => !near.includes(key));
    const keys = [hash, ...near.map((key) => this.keyOf(key))];
    const clock = RedisClock.of(this.redis);
    const [ticket, first, seconds, micros, ...values] = await this.unavailableOnError(async () =>
      this.scripts.gateTake(keys.length, ...keys, leases, this.leaseMs, this.ttl, digest, await clock.deadline()),
    );
    clock.observe(seconds!, micros!, clock.local());
    if (Number(first) === -3) throw new StateUnavailableError('The turn reached the conversation queue too late');
    const holding: Held = { hash, lease: `${leases}${ticket}`, ticket: Number(ticket) };
    this.held.add(holding);
    const renew = setInterval(
      () => void this.redis.pexpire(holding.lease, this.leaseMs).catch(() => undefined),
      Math.floor(this.leaseMs / 3),
    );
    let processed = false;
    let ended: 'remembered' | 'released' | undefined;
    try {
      const [state, ...found] =
        Number(first) === 0 ? await this.waitForTurn(keys, leases, holding.ticket, digest) : [Number(first), ...values];
      if (state === 2) return { duplicate: true };
      const fence: TurnFence = { serving: hash, lease: holding.lease, ticket: holding.ticket };
      let io: TurnIO | undefined;
      if (store) {
        const items: Record<string, Versioned> = far.length ? await store.read(far) : {};
        near.forEach((key, index) => {
          const item = RedisStateStore.versioned(String(found[2 * index]), String(found[2 * index + 1]));
          if (item) items[key] = item;
        });
        io = {
          items,
          finish: async (changes, release) => {
            await store.write(changes, fence, { ...(digest ? { digest } : {}), release });
            ended = release ? 'released' : 'remembered';
          },
        };
      }
      const value = await work(fence, io);
      processed = true;
      return { duplicate: false, value };
    } finally {
      clearInterval(renew);
      this.held.delete(holding);
      if (ended !== 'released') {
        const released = this.scripts
          .gateRelease(hash, holding.lease, holding.ticket, processed && !ended ? digest : '', SEEN_SECONDS)
          .catch(() => undefined);
        // A failed turn is answered "try again" at once, not after Redis has heard of the release: a stalled
        // Redis would add a second to the wait, and the next turn waits for the release (or the lease) either way.
        if (processed) await released;
      }
    }
  }

  /** Hands over every ticket this process holds (on shutdown), so no conversation waits for a lease to expire. */
  async close(): Promise<void> {
    await Promise.all(
      [...this.held].map((held) =>
        this.scripts.gateRelease(held.hash, held.lease, held.ticket, '', SEEN_SECONDS).catch(() => undefined),
      ),
    );
  }

  /**
   * Polls until it is this ticket's turn; returns [1, the items read] (go) or [2] (go, but the activity was
   * already handled).
   */
  private async waitForTurn(
    keys: string[],
    leases: string,
    ticket: number,
    digest: string,
  ): Promise<Array<number | string>> {
    const deadline = Date.now() + this.maxWaitMs;
    let pause = 2;
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, pause));
      pause = Math.min(pause * 2, 25);
      const [state, ...found] = await this.unavailableOnError(() =>
        this.scripts.gateTry(keys.length, ...keys, leases, ticket, digest),
      );
      if (state === 1 || state === 2) return [state, ...found];
      if (state === -1) throw new StateUnavailableError('This turn lost its place in the conversation queue');
      if (Date.now() > deadline)
        throw new StateUnavailableError('Waited too long for the earlier turns of this conversation');
    }
  }

  private async unavailableOnError<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (error) {
      throw new StateUnavailableError(`Redis unavailable for the turn queue: ${(error as Error).message}`);
    }
  }
}
