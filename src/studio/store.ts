import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RedisClient } from '../state/redisConnection';

/**
 * Where the studio keeps versions, the draft, users, sessions and the audit log: a few keys of text, a counter,
 * an append-only list and a lock. Redis when it is configured (shared by every instance), else a data folder.
 */
export interface StudioStore {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlSeconds?: number): Promise<void>;
  /** Sets the key only when it is not set yet; true when this call set it. */
  setIfAbsent(key: string, value: string): Promise<boolean>;
  delete(key: string): Promise<void>;
  increment(key: string): Promise<number>;
  append(key: string, line: string): Promise<void>;
  lines(key: string): Promise<string[]>;
  /** Runs `work` while no other caller (in this process or, with Redis, on any instance) holds the same lock. */
  locked<T>(name: string, work: () => Promise<T>): Promise<T>;
}

/** One process's queue per lock name, so read-change-write steps never interleave. */
export class LocalLocks {
  private readonly tails = new Map<string, Promise<unknown>>();
  run<T>(name: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(name) ?? Promise.resolve();
    const result = previous.then(work, work);
    const tail = result.catch(() => undefined);
    this.tails.set(name, tail);
    void tail.then(() => {
      if (this.tails.get(name) === tail) this.tails.delete(name);
    });
    return result;
  }
}

/** The data folder: one file per key (written whole, then renamed into place), lines appended for lists. */
export class FileStudioStore implements StudioStore {
  private readonly locks = new LocalLocks();

  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  private fileOf(key: string): string {
    return path.join(this.dir, `${encodeURIComponent(key)}`);
  }

  async get(key: string): Promise<string | undefined> {
    const file = this.fileOf(key);
    if (!existsSync(file)) return undefined;
    const stored = JSON.parse(readFileSync(file, 'utf8')) as { value: string; expires?: number };
    if (stored.expires !== undefined && stored.expires < Date.now()) {
      rmSync(file, { force: true });
      return undefined;
    }
    return stored.value;
  }

  async set(key: string, value: string, ttlSeconds?: number): Promise<void> {
    const file = this.fileOf(key);
    const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    const expires = ttlSeconds === undefined ? {} : { expires: Date.now() + ttlSeconds * 1000 };
    writeFileSync(temporary, JSON.stringify({ value, ...expires }), { mode: 0o600 });
    renameSync(temporary, file);
  }

  async setIfAbsent(key: string, value: string): Promise<boolean> {
    return this.locks.run(`set:${key}`, async () => {
      if ((await this.get(key)) !== undefined) return false;
      await this.set(key, value);
      return true;
    });
  }

  async delete(key: string): Promise<void> {
    rmSync(this.fileOf(key), { force: true });
  }

  async increment(key: string): Promise<number> {
    return this.locks.run(`increment:${key}`, async () => {
      const next = Number((await this.get(key)) ?? '0') + 1;
      await this.set(key, String(next));
      return next;
    });
  }

  async append(key: string, line: string): Promise<void> {
    appendFileSync(`${this.fileOf(key)}.jsonl`, `${line.replace(/\n/g, ' ')}\n`, { mode: 0o600 });
  }

  async lines(key: string): Promise<string[]> {
    const file = `${this.fileOf(key)}.jsonl`;
    if (!existsSync(file)) return [];
    return readFileSync(file, 'utf8').split('\n').filter(Boolean);
  }

  locked<T>(name: string, work: () => Promise<T>): Promise<T> {
    return this.locks.run(`lock:${name}`, work);
  }
}

/** Every key under one hash tag, so a Redis Cluster keeps them in one slot. */
const PREFIX = '{studio}:';
const LOCK_MS = 30_000;

export class RedisStudioStore implements StudioStore {
  private readonly locks = new LocalLocks();

  constructor(private readonly redis: RedisClient) {}

  async get(key: string): Promise<string | undefined> {
    return (await this.redis.get(PREFIX + key)) ?? undefined;
  }

  async set(key: string, value: string, ttlSeconds?: number): Promise<void> {
    if (ttlSeconds === undefined) await this.redis.set(PREFIX + key, value);
    else await this.redis.set(PREFIX + key, value, 'EX', ttlSeconds);
  }

  async setIfAbsent(key: string, value: string): Promise<boolean> {
    return (await this.redis.set(PREFIX + key, value, 'NX')) === 'OK';
  }

  async delete(key: string): Promise<void> {
    await this.redis.del(PREFIX + key);
  }

  async increment(key: string): Promise<number> {
    return this.redis.incr(PREFIX + key);
  }

  async append(key: string, line: string): Promise<void> {
    await this.redis.rpush(PREFIX + key, line);
  }

  async lines(key: string): Promise<string[]> {
    return this.redis.lrange(PREFIX + key, 0, -1);
  }

  /** A lock in Redis (set-if-absent with an expiry, released only by its holder), queued within the process. */
  locked<T>(name: string, work: () => Promise<T>): Promise<T> {
    return this.locks.run(name, async () => {
      const key = `${PREFIX}lock:${name}`;
      const token = randomBytes(12).toString('hex');
      const deadline = Date.now() + LOCK_MS;
      while ((await this.redis.set(key, token, 'PX', LOCK_MS, 'NX')) !== 'OK') {
        if (Date.now() > deadline) throw new Error(`the studio lock "${name}" is held elsewhere`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      try {
        return await work();
      } finally {
        await this.redis.eval(
          "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0",
          1,
          key,
          token,
        );
      }
    });
  }
}
