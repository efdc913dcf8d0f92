import { loadConfig } from '../../src/config';
import { startBot, type RunningBot } from '../../src/index';
import { createLogger } from '../../src/logger';
import { createRedis, type RedisClient } from '../../src/state/redisConnection';
import { BotProcess, send } from '../support/botProcess';
import { english } from '../support/helpers';
import { RedisServer } from '../support/redisServer';

jest.setTimeout(90_000);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A demo account of demo/accounts.json, locked at start-up: the right numbers find it locked. */
/** The lock check, clicking by the buttons' English labels as the content words them. */
const LOCK_CHECK = ['hi', english('menu.choice.lockout'), english('lockout.choice.check'), 'SIR094701', '8482'];

/** The state a fresh conversation reaches with the demo account's right ID and secret number. */
async function lockCheck(url: string, conversation: string): Promise<string | undefined> {
  let state: string | undefined;
  for (const text of LOCK_CHECK) {
    // While Redis comes back, a turn is answered "try again in a moment" (no trace): try again, as a person would.
    for (let attempt = 0; attempt < 50; attempt++) {
      const reply = await send(url, conversation, text);
      state = reply.trace?.state;
      if (state) break;
      await sleep(100);
    }
  }
  return state;
}

describe('the embedded account service after Redis lost its data', () => {
  let redis: RedisServer;
  let admin: RedisClient;
  let bot: RunningBot;

  beforeAll(async () => {
    redis = await RedisServer.start();
    bot = await startBot(loadConfig({ PORT: '0', HOST: '127.0.0.1', REDIS_URL: redis.url }), createLogger('silent'));
  });
  afterAll(async () => {
    admin?.disconnect();
    await bot?.close();
    await redis?.stop();
  });

  it.each([
    ['FLUSHALL', async () => void (await admin.flushall())],
    [
      'a restart with nothing on disk',
      async () => {
        await redis.stop();
        await redis.resume();
      },
    ],
  ])('still knows the accounts after %s', async (how, loseData) => {
    admin ??= createRedis({ url: redis.url });
    if (admin.status === 'wait') await admin.connect();
    expect(await lockCheck(bot.url, `before-${how}`)).toBe('lockoutLocked');

    await loseData();
    for (let attempt = 0; attempt < 50 && admin.status !== 'ready'; attempt++) await sleep(100);
    expect(await admin.dbsize()).toBe(0);

    // The right ID and secret number are recognised again, and /readyz never claimed ready while they were not.
    expect(await lockCheck(bot.url, `after-${how}`)).toBe('lockoutLocked');
    expect((await fetch(`${bot.url}/readyz`)).status).toBe(200);
  });
});

describe('the Direct Line token key with several instances', () => {
  let redis: RedisServer;
  const bots: RunningBot[] = [];

  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  afterAll(async () => {
    for (const bot of bots) await bot.close();
    await redis?.stop();
  });

  const start = async (env: Record<string, string>) => {
    const bot = await startBot(
      loadConfig({ PORT: '0', HOST: '127.0.0.1', REDIS_URL: redis.url, ...env }),
      createLogger('silent'),
    );
    bots.push(bot);
    return bot;
  };

  it('with DIRECT_LINE_TOKEN_KEY: an instance started after Redis lost its data accepts earlier tokens', async () => {
    const key = { DIRECT_LINE_TOKEN_KEY: 'a shared key of at least thirty-two characters' };
    const first = await start(key);
    const { token } = (await (await fetch(`${first.url}/api/directline/token`, { method: 'POST' })).json()) as {
      token: string;
    };
    const admin = createRedis({ url: redis.url });
    await admin.connect();
    await admin.flushall();
    admin.disconnect();
    const second = await start(key);
    const opened = await fetch(`${second.url}/v3/directline/conversations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(opened.status).toBe(201);
  });

  it('in production with Redis, the bot refuses to start without either shared key, naming it', async () => {
    const production = {
      NODE_ENV: 'Production',
      MicrosoftAppId: 'app-id',
      MicrosoftAppPassword: 'app-password',
      REDIS_URL: redis.url,
    };
    const missing = [
      { variable: 'DIRECT_LINE_TOKEN_KEY', env: { DIRECT_LINE_TOKEN_KEY: '', STATE_ENCRYPTION_KEY: 's'.repeat(32) } },
      { variable: 'STATE_ENCRYPTION_KEY', env: { DIRECT_LINE_TOKEN_KEY: 'k'.repeat(32), STATE_ENCRYPTION_KEY: '' } },
    ];
    for (const { variable, env } of missing)
      await expect(BotProcess.start({ ...production, ...env })).rejects.toThrow(
        new RegExp(`exited with 1[\\s\\S]*${variable}: required`),
      );
  });
});
