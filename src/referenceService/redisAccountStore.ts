import { RedisWindowCounter, type WindowCounter } from '../state/rateLimit';
import type { RedisClient } from '../state/redisConnection';
import {
  HELPDESK_REQUEST_TTL_SECONDS,
  type AccountStore,
  type FiledRequest,
  type QueuedReset,
  type SentEmail,
  type StoredAccount,
} from './store';

const PREFIX = 'account-service:';

/** The reference service's data in Redis, so several instances (and restarts) share it. */
export class RedisAccountStore implements AccountStore {
  readonly limits: WindowCounter;

  constructor(private readonly redis: RedisClient) {
    this.limits = new RedisWindowCounter(redis, `${PREFIX}limit`);
  }

  async getAccount(idNumber: string) {
    const text = await this.redis.get(`${PREFIX}account:${idNumber}`);
    return text ? (JSON.parse(text) as StoredAccount) : undefined;
  }

  async saveAccount(account: StoredAccount) {
    await this.redis.set(`${PREFIX}account:${account.idNumber}`, JSON.stringify(account));
  }

  async seedAccount(account: StoredAccount) {
    const key = `${PREFIX}account:${account.idNumber}`;
    if ((await this.redis.set(key, JSON.stringify(account), 'NX')) === 'OK') return;
    // Already stored: its state stays, its secret number is kept as this key hashes it (and never in clear).
    const stored = await this.getAccount(account.idNumber);
    if (!stored) return;
    const { secretNumber: _clear, ...rest } = stored as StoredAccount & { secretNumber?: string };
    await this.redis.set(key, JSON.stringify({ ...rest, secretHash: account.secretHash }));
  }

  async claim(key: string, ttlSeconds: number) {
    return (await this.redis.set(`${PREFIX}idempotency:${key}`, '', 'EX', ttlSeconds, 'NX')) === 'OK';
  }

  async answer(key: string) {
    const value = await this.redis.get(`${PREFIX}idempotency:${key}`);
    return value ? value : undefined;
  }

  async saveAnswer(key: string, answer: string, ttlSeconds: number) {
    await this.redis.set(`${PREFIX}idempotency:${key}`, answer, 'EX', ttlSeconds);
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

  /** The connection belongs to whoever made it; they close it. */
  async close() {}
}
