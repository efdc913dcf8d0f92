import type { Config } from '../config';
import type { Content } from '../content/loadContent';
import type { Logger } from '../logger';
import type { RedisClient } from '../state/redisConnection';
import { Insights } from './insights';
import { FileInsightsStore, RedisInsightsStore } from './store';

/** Insights as the bot runs them: in Redis when configured, else beside the studio's data; sweeping started. */
export function openInsights(
  settings: NonNullable<Config['insights']>,
  redis: RedisClient | undefined,
  dataDir: string,
  content: () => Content,
  logger: Logger,
): Insights {
  const insights = new Insights({
    store: redis ? new RedisInsightsStore(redis) : new FileInsightsStore(dataDir),
    content,
    logger: logger.child({ component: 'insights' }),
    ...settings,
  });
  insights.startSweeping();
  return insights;
}
