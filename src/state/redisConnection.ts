import Redis, { Cluster, type ClusterOptions, type RedisOptions } from 'ioredis';

export type RedisClient = Redis | Cluster;

export interface RedisSettings {
  url?: string;
  /** host:port of Sentinels, with the name of the master they watch. */
  sentinels?: Array<{ host: string; port: number }>;
  sentinelName?: string;
  /** host:port of some Cluster nodes. */
  clusterNodes?: Array<{ host: string; port: number }>;
}

/** How long a command may go unanswered before the client gives up on it (and the turn says "try again"). */
export const COMMAND_TIMEOUT_MS = 1000;

/**
 * How long after it was sent a command that changes state may still run in Redis. Half the command timeout,
 * so a change that runs at all is answered while the client is still waiting for it, even on a busy host.
 * (Only a stall that falls between running a script and sending its answer, microseconds wide, escapes this.)
 */
export const LATEST_RUN_MS = COMMAND_TIMEOUT_MS / 2;

/**
 * Settings so that nothing hangs: each command fails after a second rather than waiting, commands are not
 * queued while disconnected (the turn is answered with "try again in a moment" instead), and reconnection
 * never gives up, backing off to 2 s, so the bot recovers by itself when Redis returns.
 */
const resilient: RedisOptions = {
  commandTimeout: COMMAND_TIMEOUT_MS,
  connectTimeout: 2000,
  maxRetriesPerRequest: 1,
  enableOfflineQueue: false,
  retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 2000),
  lazyConnect: true,
  // Commands issued in the same turn of the event loop go out in one socket write, at its end. Not the fenced
  // state write: it carries a deadline, and a process busy before its next turn would send it too late to run.
  enableAutoPipelining: true,
  autoPipeliningIgnoredCommands: ['helpdeskCommit'],
};

export function createRedis(settings: RedisSettings): RedisClient {
  let client: RedisClient;
  if (settings.clusterNodes?.length) {
    const options: ClusterOptions = {
      redisOptions: resilient,
      enableOfflineQueue: false,
      clusterRetryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 2000),
      lazyConnect: true,
    };
    client = new Cluster(settings.clusterNodes, options);
  } else if (settings.sentinels?.length) {
    client = new Redis({ ...resilient, sentinels: settings.sentinels, name: settings.sentinelName ?? 'mymaster' });
  } else {
    client = new Redis(settings.url ?? 'redis://127.0.0.1:6379', resilient);
  }
  // Failures surface on each command (and in /readyz); the connection keeps retrying in the background.
  client.on('error', () => undefined);
  return client;
}

/** Parses "host:port,host:port". */
export function parseNodes(text: string | undefined): Array<{ host: string; port: number }> | undefined {
  if (!text) return undefined;
  return text.split(',').map((entry) => {
    const [host, port] = entry.trim().split(':');
    if (!host || !port || !/^\d+$/.test(port)) throw new Error(`"${entry}" is not host:port`);
    return { host, port: Number(port) };
  });
}

/** Connects, or fails with a readable error within 10 s: Redis must answer once at start-up. */
export async function connectOnce(redis: RedisClient): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      redis.connect(),
      new Promise<never>(
        (_resolve, reject) => (timer = setTimeout(() => reject(new Error('no answer within 10 s')), 10_000)),
      ),
    ]);
  } catch (error) {
    redis.disconnect();
    throw Object.assign(
      new Error(
        `Redis could not be reached at start-up (${(error as Error).message}); ` +
          'check REDIS_URL, REDIS_SENTINELS or REDIS_CLUSTER_NODES',
      ),
      {
        name: 'ConfigError',
      },
    );
  } finally {
    clearTimeout(timer);
  }
}

const clocks = new WeakMap<RedisClient, RedisClock>();

/**
 * Redis's clock as this process sees it, so a script can refuse to run past a deadline: a command that sat in
 * a stalled Redis until its sender gave up must not change anything when Redis wakes. The offset is measured
 * against the moment an answer arrived, so it errs early: a deadline computed from it is never later in Redis
 * than the same moment here. One clock per client, re-measured after each reconnection (a failover may bring
 * another host) and corrected by every time Redis reports.
 */
export class RedisClock {
  private offset: number | undefined;
  private measuredAt = 0;

  private constructor(
    private readonly redis: RedisClient,
    private readonly now: () => number,
  ) {
    redis.on('ready', () => (this.offset = undefined));
  }

  static of(redis: RedisClient, now: () => number = () => performance.now()): RedisClock {
    let clock = clocks.get(redis);
    if (!clock) clocks.set(redis, (clock = new RedisClock(redis, now)));
    return clock;
  }

  /** This process's monotonic clock, in milliseconds. */
  local(): number {
    return this.now();
  }

  /** The Redis time (milliseconds) after which a state change sent now must not run. */
  async deadline(): Promise<number> {
    if (this.offset === undefined || this.now() - this.measuredAt > 60_000) {
      const [seconds, micros] = await this.redis.time();
      this.observe(seconds, micros, this.now());
    }
    return Math.floor(this.now() + this.offset! + LATEST_RUN_MS);
  }

  /** Takes Redis's TIME (as a script returns it) that reached this process at `answeredAt` (local clock). */
  observe(seconds: number | string, micros: number | string, answeredAt: number): void {
    this.offset = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000) - answeredAt;
    this.measuredAt = answeredAt;
  }
}
