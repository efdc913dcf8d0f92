import { ConfigError, type Config } from '../src/config';
import { connectOnce, createRedis } from '../src/state/redisConnection';
import { FileStudioStore, RedisStudioStore, type StudioStore } from '../src/studio/store';

/** Runs `work` on the studio's data where the bot keeps it: Redis when REDIS_URL is set, else STUDIO_DATA_DIR. */
export async function withStudioStore<T>(config: Config, work: (store: StudioStore) => Promise<T>): Promise<T> {
  if (!config.studio) throw new ConfigError('the studio is off (STUDIO=off)');
  const redis = config.redis ? createRedis(config.redis) : undefined;
  try {
    if (redis) await connectOnce(redis);
    return await work(redis ? new RedisStudioStore(redis) : new FileStudioStore(config.studio.dataDir));
  } finally {
    await redis?.quit().catch(() => redis.disconnect());
  }
}

/** How the studio's commands end: a plain message for a mistake in what was asked, the stack for a bug. */
export function reportFailure(error: Error): void {
  process.stderr.write(`${error.name === 'ConfigError' ? error.message : (error.stack ?? String(error))}\n`);
  process.exitCode = 1;
}
