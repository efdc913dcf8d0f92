import { RedisWindowCounter, type WindowCounter } from '../state/rateLimit';
import type { RedisClient } from '../state/redisConnection';
import type { AccountStore, Claim, FiledRequest, SentEmail, StoredAccount } from './store';

const PREFIX = 'account-service:';
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
    await this.redis.set(`${PREFIX}account:${account.idNumber}`, JSON.stringify(account), 'NX');
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

  async recordEmail(email: SentEmail) {
    await this.redis.rpush(`${PREFIX}outbox`, JSON.stringify(email));
  }

  async emails() {
    return (await this.redis.lrange(`${PREFIX}outbox`, 0, -1)).map((text) => JSON.parse(text) as SentEmail);
  }

  async recordRequest(request: FiledRequest) {
    await this.redis.rpush(`${PREFIX}helpdesk`, JSON.stringify(request));
  }

  async requests() {
    return (await this.redis.lrange(`${PREFIX}helpdesk`, 0, -1)).map((text) => JSON.parse(text) as FiledRequest);
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
