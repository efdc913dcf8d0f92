import { RedisClock, type RedisClient } from './redisConnection';
import { StateUnavailableError, type TurnFence } from './stateStore';

export type GateResult<T> = { duplicate: true } | { duplicate: false; value: T };

/**
 * Runs the turns of one conversation one at a time, in the order they arrived, and skips an activity
 * that was already processed (channels redeliver). Turns of different conversations run side by side.
 * `work` gets the turn's fence when the gate has one, for the state write to prove the turn still holds
 * the conversation. Name the conversation by its state key, so the two share a Cluster slot.
 */
export interface TurnGate {
  run<T>(
    conversation: string,
    activityId: string | undefined,
    work: (fence?: TurnFence) => Promise<T>,
  ): Promise<GateResult<T>>;
  close(): Promise<void>;
}

/** How long an activity id is remembered, so a redelivery within it is not processed again. */
export const SEEN_SECONDS = 10 * 60;

/** The embedded default: one process, a promise chain per conversation. */
export class InProcessTurnGate implements TurnGate {
  private readonly tails = new Map<string, Promise<unknown>>();
  private readonly seen = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  async run<T>(
    conversation: string,
    activityId: string | undefined,
    work: (fence?: TurnFence) => Promise<T>,
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

/**
 * Takes a ticket (the turn's place in the queue, with a lease that says its holder is alive) and tries
 * at once, so an uncontended turn needs one round trip. Returns { ticket, state, Redis TIME } with state as
 * TRY's, or state -3 and no ticket when it ran after ARGV[5], the Redis time (ms) after which its sender has
 * given up: a ticket nobody waits for would hold up the conversation until its lease ran out.
 */
const TAKE = `
local now = redis.call('TIME')
if tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) > tonumber(ARGV[5]) then
  return { 0, -3, now[1], now[2] }
end
local ticket = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call('SET', ARGV[1] .. ticket, '1', 'PX', ARGV[2])
local serving = tonumber(redis.call('GET', KEYS[2]) or ticket)
while serving < ticket and redis.call('EXISTS', ARGV[1] .. serving) == 0 do serving = serving + 1 end
redis.call('SET', KEYS[2], serving, 'EX', ARGV[3])
local state = 0
if serving == ticket then
  state = 1
  if ARGV[4] ~= '' and redis.call('EXISTS', ARGV[4]) == 1 then state = 2 end
end
return { ticket, state, now[1], now[2] }
`;

/**
 * Is it this ticket's turn? Tickets ahead whose holder died (lease expired) are skipped.
 * 1: go, 2: go but already seen, 0: wait, -1: skipped ourselves.
 */
const TRY = `
local ticket = tonumber(ARGV[2])
local serving = tonumber(redis.call('GET', KEYS[1]) or ARGV[2])
while serving < ticket and redis.call('EXISTS', ARGV[1] .. serving) == 0 do serving = serving + 1 end
redis.call('SET', KEYS[1], serving, 'EX', ARGV[3])
if serving == ticket then
  if ARGV[4] ~= '' and redis.call('EXISTS', ARGV[4]) == 1 then return 2 end
  return 1
end
if serving > ticket then return -1 end
return 0
`;

/** Done: remember the activity (when it was processed), drop the lease and let the next ticket go. */
const RELEASE = `
if ARGV[4] ~= '' then redis.call('SET', ARGV[4], '1', 'EX', ARGV[5]) end
redis.call('DEL', ARGV[1] .. ARGV[2])
local serving = tonumber(redis.call('GET', KEYS[1]) or '0')
if serving == tonumber(ARGV[2]) then redis.call('SET', KEYS[1], serving + 1, 'EX', ARGV[3]) end
return 1
`;

type Scripts = {
  gateTake(
    next: string,
    serving: string,
    leasePrefix: string,
    leaseMs: number,
    ttl: number,
    seen: string,
    deadline: number,
  ): Promise<[number, number, string, string]>;
  gateTry(serving: string, leasePrefix: string, ticket: number, ttl: number, seen: string): Promise<number>;
  gateRelease(
    serving: string,
    leasePrefix: string,
    ticket: number,
    ttl: number,
    seen: string,
    seenSeconds: number,
  ): Promise<number>;
};

export interface RedisTurnGateOptions {
  prefix?: string;
  /** A holder that stops renewing (crashed) loses its place after this long (default 5 s). */
  leaseMs?: number;
  /** How long a turn waits for the ones ahead of it before giving up (default 4 s). */
  maxWaitMs?: number;
}

/**
 * Per-conversation order across instances: a ticket queue in Redis. Each turn takes a ticket (INCR, so
 * tickets follow arrival order), waits until the queue is serving it, runs, and hands over to the next.
 * A lease, renewed while the turn waits and runs, lets the others skip a holder that died.
 */
export class RedisTurnGate implements TurnGate {
  private readonly prefix: string;
  private readonly leaseMs: number;
  private readonly maxWaitMs: number;
  private readonly ttl = 24 * 3600;
  private readonly held = new Set<{ serving: string; lease: string; ticket: number }>();

  constructor(
    private readonly redis: RedisClient,
    options: RedisTurnGateOptions = {},
  ) {
    this.prefix = options.prefix ?? 'helpdesk';
    this.leaseMs = options.leaseMs ?? 5000;
    this.maxWaitMs = options.maxWaitMs ?? 4000;
    redis.defineCommand('gateTake', { numberOfKeys: 2, lua: TAKE });
    redis.defineCommand('gateTry', { numberOfKeys: 1, lua: TRY });
    redis.defineCommand('gateRelease', { numberOfKeys: 1, lua: RELEASE });
  }

  private get scripts(): Scripts {
    return this.redis as unknown as Scripts;
  }

  async run<T>(
    conversation: string,
    activityId: string | undefined,
    work: (fence?: TurnFence) => Promise<T>,
  ): Promise<GateResult<T>> {
    const tag = `{${conversation}}`;
    const keys = {
      next: `${this.prefix}:queue:${tag}:next`,
      serving: `${this.prefix}:queue:${tag}:serving`,
      lease: `${this.prefix}:queue:${tag}:lease:`,
    };
    const seen = activityId ? `${this.prefix}:seen:${tag}:${activityId}` : '';
    const clock = RedisClock.of(this.redis);
    const [ticket, first, seconds, micros] = await this.unavailableOnError(async () =>
      this.scripts.gateTake(keys.next, keys.serving, keys.lease, this.leaseMs, this.ttl, seen, await clock.deadline()),
    );
    clock.observe(seconds, micros, clock.local());
    if (first === -3) throw new StateUnavailableError('The turn reached the conversation queue too late');
    const holding = { serving: keys.serving, lease: keys.lease, ticket };
    this.held.add(holding);
    const renew = setInterval(
      () => void this.redis.pexpire(`${keys.lease}${ticket}`, this.leaseMs).catch(() => undefined),
      Math.floor(this.leaseMs / 3),
    );
    let processed = false;
    try {
      const state = first === 0 ? await this.waitForTurn(keys, ticket, seen) : first;
      if (state === 2) return { duplicate: true };
      const value = await work({ serving: keys.serving, lease: `${keys.lease}${ticket}`, ticket });
      processed = true;
      return { duplicate: false, value };
    } finally {
      clearInterval(renew);
      this.held.delete(holding);
      const released = this.scripts
        .gateRelease(keys.serving, keys.lease, ticket, this.ttl, processed ? seen : '', SEEN_SECONDS)
        .catch(() => undefined);
      // A failed turn is answered "try again" at once, not after Redis has heard of the release: a stalled Redis
      // would add a second to the wait, and the next turn waits for the release (or the lease) either way.
      if (processed) await released;
    }
  }

  /** Hands over every ticket this process holds (on shutdown), so no conversation waits for a lease to expire. */
  async close(): Promise<void> {
    await Promise.all(
      [...this.held].map((held) =>
        this.scripts
          .gateRelease(held.serving, held.lease, held.ticket, this.ttl, '', SEEN_SECONDS)
          .catch(() => undefined),
      ),
    );
  }

  /** Polls until it is this ticket's turn; returns 1 (go) or 2 (go, but the activity was already processed). */
  private async waitForTurn(keys: { serving: string; lease: string }, ticket: number, seen: string): Promise<number> {
    const deadline = Date.now() + this.maxWaitMs;
    let pause = 2;
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, pause));
      pause = Math.min(pause * 2, 25);
      const state = await this.unavailableOnError(() =>
        this.scripts.gateTry(keys.serving, keys.lease, ticket, this.ttl, seen),
      );
      if (state === 1 || state === 2) return state;
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
