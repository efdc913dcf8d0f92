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

/**
 * Settings so that nothing hangs: each command fails after a second rather than waiting, commands are not
 * queued while disconnected (the turn is answered with "try again in a moment" instead), and reconnection
 * never gives up, backing off to 2 s, so the bot recovers by itself when Redis returns.
 */
const resilient: RedisOptions = {
  commandTimeout: 1000,
  connectTimeout: 2000,
  maxRetriesPerRequest: 1,
  enableOfflineQueue: false,
  retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 2000),
  lazyConnect: true,
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
