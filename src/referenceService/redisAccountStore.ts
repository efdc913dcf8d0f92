import { RedisWindowCounter, type WindowCounter } from '../state/rateLimit';
import type { RedisClient } from '../state/redisConnection';
import {
  HELPDESK_REQUEST_TTL_SECONDS,
  type AccountStore,
  type Claim,
  type FiledRequest,
  type QueuedReset,
  type SentEmail,
  type StoredAccount,
} from './store';

const PREFIX = 'account-service:';
/** Where earlier versions kept every helpdesk request, secret numbers in clear and with no expiry. */
const EARLIER_HELPDESK_LIST = `${PREFIX}helpdesk`;
/** Set once the accounts file is seeded: when it is gone, Redis lost its data (FLUSHALL, restarted empty). */
const SEEDED = `${PREFIX}seeded`;

/**
 * The reference service's data in Redis, so several instances (and restarts) share it. The accounts it was
 * seeded with are seeded again whenever Redis turns out to have lost them.
 */
export class RedisAccountStore implements AccountStore {
  readonly limits: WindowCounter;
  private readonly seeds = new Map<string, StoredAccount>();
  private reseeding: Promise<void> | undefined;

  constructor(private readonly redis: RedisClient) {
    this.limits = new RedisWindowCounter(redis, `${PREFIX}limit`);
  }

  async getAccount(idNumber: string) {
    // Checked on every look-up, known ID or not, so the check costs every answer the same.
    if (this.seeds.size > 0 && !(await this.redis.exists(SEEDED))) await this.reseed();
    const text = await this.redis.get(`${PREFIX}account:${idNumber}`);
    return text ? (JSON.parse(text) as StoredAccount) : undefined;
  }

  async saveAccount(account: StoredAccount) {
    await this.redis.set(`${PREFIX}account:${account.idNumber}`, JSON.stringify(account));
  }

  async seedAccount(account: StoredAccount) {
    this.seeds.set(account.idNumber, account);
    const key = `${PREFIX}account:${account.idNumber}`;
    if ((await this.redis.set(key, JSON.stringify(account), 'NX')) !== 'OK') {
      // Already stored: its state stays, its secret number is kept as this key hashes it (and never in clear).
      const text = await this.redis.get(key);
      if (text) {
        const { secretNumber: _clear, ...rest } = JSON.parse(text) as StoredAccount & { secretNumber?: string };
        await this.redis.set(key, JSON.stringify({ ...rest, secretHash: account.secretHash }));
      }
    }
    await this.redis.set(SEEDED, '1');
  }

  /** Seeds the remembered accounts again (an account still stored keeps its state); one run at a time. */
  private reseed(): Promise<void> {
    this.reseeding ??= (async () => {
      for (const account of this.seeds.values())
        await this.redis.set(`${PREFIX}account:${account.idNumber}`, JSON.stringify(account), 'NX');
      await this.redis.set(SEEDED, '1');
    })().finally(() => (this.reseeding = undefined));
    return this.reseeding;
  }

  async claim(key: string, request: string, ttlSeconds: number) {
    const claim: Claim = { request };
    return (
      (await this.redis.set(`${PREFIX}idempotency:${key}`, JSON.stringify(claim), 'EX', ttlSeconds, 'NX')) === 'OK'
    );
  }

  async claimed(key: string) {
    const value = await this.redis.get(`${PREFIX}idempotency:${key}`);
    return value === null ? undefined : readClaim(value);
  }

  async saveAnswer(key: string, claim: Required<Claim>, ttlSeconds: number) {
    await this.redis.set(`${PREFIX}idempotency:${key}`, JSON.stringify(claim), 'EX', ttlSeconds);
  }

  async release(key: string) {
    await this.redis.del(`${PREFIX}idempotency:${key}`);
  }

  async queueReset(reset: QueuedReset) {
    await this.redis.rpush(`${PREFIX}reset-queue`, JSON.stringify(reset));
  }

  async takeResets(most: number) {
    // LPOP with a count takes them atomically: two instances never send the same email.
    const taken = (await this.redis.lpop(`${PREFIX}reset-queue`, most)) ?? [];
    return taken.map((text) => JSON.parse(text) as QueuedReset);
  }

  async recordEmail(email: SentEmail) {
    await this.redis.rpush(`${PREFIX}outbox`, JSON.stringify(email));
  }

  async emails() {
    return (await this.redis.lrange(`${PREFIX}outbox`, 0, -1)).map((text) => JSON.parse(text) as SentEmail);
  }

  /** Each request a key of its own, so each expires on its own; the score orders them by filing time. */
  async recordRequest(request: FiledRequest) {
    const key = `${PREFIX}helpdesk:${request.reference}`;
    const now = Date.now();
    await this.redis
      .multi()
      .set(key, JSON.stringify(request), 'EX', HELPDESK_REQUEST_TTL_SECONDS)
      .zadd(`${PREFIX}helpdesk-index`, now, request.reference)
      .zremrangebyscore(`${PREFIX}helpdesk-index`, '-inf', now - HELPDESK_REQUEST_TTL_SECONDS * 1000)
      .exec();
  }

  async requests() {
    const references = await this.redis.zrange(`${PREFIX}helpdesk-index`, 0, -1);
    if (references.length === 0) return [];
    const texts = await this.redis.mget(references.map((reference) => `${PREFIX}helpdesk:${reference}`));
    return texts.filter((text): text is string => text !== null).map((text) => JSON.parse(text) as FiledRequest);
  }

  /**
   * Deletes the helpdesk requests an earlier version kept in one list, secret numbers in clear; how many there
   * were. Counted and deleted at once, so of several instances starting together only one reports them.
   */
  async deleteEarlierHelpdeskList(): Promise<number> {
    if ((await this.redis.type(EARLIER_HELPDESK_LIST)) !== 'list') return 0;
    const [[, count] = []] =
      (await this.redis.multi().llen(EARLIER_HELPDESK_LIST).del(EARLIER_HELPDESK_LIST).exec()) ?? [];
    return Number(count ?? 0);
  }

  /** The connection belongs to whoever made it; they close it. */
  async close() {}
}

/** A claim as stored; one stored before keys were bound is '' (in progress) or the bare answer. */
function readClaim(value: string): Claim {
  try {
    const parsed = JSON.parse(value) as unknown;
    if (parsed && typeof parsed === 'object' && 'request' in parsed && typeof parsed.request === 'string') {
      const answer = 'answer' in parsed && typeof parsed.answer === 'string' ? parsed.answer : undefined;
      return { request: parsed.request, ...(answer ? { answer } : {}) };
    }
  } catch {
    // Not JSON: stored by an earlier version.
  }
  return value ? { answer: value } : {};
}
