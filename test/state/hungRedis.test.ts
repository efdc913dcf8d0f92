import { loadConfig } from '../../src/config';
import { startBot, type RunningBot } from '../../src/index';
import { createLogger } from '../../src/logger';
import { content, english } from '../support/helpers';
import { HttpConversation, type Turn } from '../support/httpConversation';
import { RedisServer } from '../support/redisServer';

/** Far more than the bot needs to give up on a silent Redis, far less than a hung turn would take. */
const GENEROUS_MS = 8_000;

describe('a Redis that hangs (connected, never answering)', () => {
  let redis: RedisServer;
  let bot: RunningBot;
  beforeAll(async () => {
    redis = await RedisServer.start();
    bot = await startBot(loadConfig({ PORT: '0', HOST: '127.0.0.1', REDIS_URL: redis.url }), createLogger('silent'));
  });
  afterAll(async () => {
    redis.thaw();
    await bot.close();
    await redis.stop();
  });

  it('gets the turn answered with "try again in a moment" instead of leaving the candidate waiting', async () => {
    const chat = new HttpConversation(bot.url, 'hung-redis');
    expect((await chat.say('hi')).trace?.state).toBe(content().dialog.start);

    redis.freeze();
    let reply: Turn | 'no answer';
    try {
      let timer: NodeJS.Timeout | undefined;
      reply = await Promise.race([
        chat.say('options'),
        new Promise<'no answer'>((resolve) => (timer = setTimeout(() => resolve('no answer'), GENEROUS_MS))),
      ]).finally(() => clearTimeout(timer));
    } finally {
      redis.thaw();
    }
    if (reply === 'no answer') throw new Error(`no answer within ${GENEROUS_MS} ms while Redis was hung`);
    expect(reply.text).toBe(english('common:unavailable'));
    expect(reply.trace).toBeUndefined();
  });
});
