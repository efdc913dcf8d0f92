import { RedisWindowCounter, type WindowCounter } from '../state/rateLimit';
import type { RedisClient } from '../state/redisConnection';
import type { AccountStore, FiledRequest, QueuedReset, SentEmail, StoredAccount } from './store';

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
    await this.redis.set(`${PREFIX}account:${account.idNumber}`, JSON.stringify(account), 'NX');
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

  async recordRequest(request: FiledRequest) {
    await this.redis.rpush(`${PREFIX}helpdesk`, JSON.stringify(request));
  }

  async requests() {
    return (await this.redis.lrange(`${PREFIX}helpdesk`, 0, -1)).map((text) => JSON.parse(text) as FiledRequest);
  }

  /** The connection belongs to whoever made it; they close it. */
  async close() {}
}
