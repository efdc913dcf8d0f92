import { loadConfig } from '../../src/config';
import { startBot, type RunningBot } from '../../src/index';
import { createLogger } from '../../src/logger';
import {
  directLineClient,
  Inbox,
  LOCK_ENDED,
  LOCKED_FOR,
  post,
  UP_TO_THE_SECRET_NUMBER,
} from '../support/directLineClient';
import { english } from '../support/helpers';
import { RedisServer } from '../support/redisServer';
import { shortLockService } from '../support/scriptedAccountService';

jest.setTimeout(90_000);

/** Two instances behind a load balancer, sharing one Redis, serving the page's own Direct Line. */
describe('the local Direct Line endpoint on several instances sharing Redis', () => {
  let redis: RedisServer;
  let first: RunningBot;
  let second: RunningBot;
  let firstStopped = false;
  // Each lock check finds the account locked for this long: time enough to compare both logs and stop the
  // first instance before the lock ends, on a loaded machine too.
  const lockMs = 5000;
  let service: Awaited<ReturnType<typeof shortLockService>>;

  beforeAll(async () => {
    redis = await RedisServer.start();
    service = await shortLockService(lockMs);
    const config = () =>
      loadConfig({
        PORT: '0',
        HOST: '127.0.0.1',
        REDIS_URL: redis.url,
        ACCOUNT_SERVICE_URL: service.url,
        ACCOUNT_SERVICE_TOKEN: service.token,
        TOKENS_PER_MINUTE: '1000',
      });
    first = await startBot(config(), createLogger('silent'));
    second = await startBot(config(), createLogger('silent'));
  });
  afterAll(async () => {
    await second?.close();
    if (!firstStopped) await first?.close();
    await service.close();
    await redis.stop();
  });

  it('serves one conversation from both; the instance left sends the message the stopped one promised', async () => {
    const grant = (await (await fetch(`${first.url}/api/directline/token`, { method: 'POST' })).json()) as {
      token: string;
      conversationId: string;
    };
    // The candidate's stream lands on the second instance; their messages go through the first.
    const listening = directLineClient({ token: grant.token, domain: `${second.url}/v3/directline`, webSocket: true });
    const talking = directLineClient({ token: grant.token, domain: `${first.url}/v3/directline`, webSocket: false });
    const inbox = new Inbox(listening);
    const talked = new Inbox(talking);
    try {
      await post(talking, { type: 'event', name: 'webchat/join', value: { language: 'en' }, locale: 'en-GB' } as never);
      await inbox.botSays(english('common:welcome'));
      // Posted through the first instance, the replies awaited on the second one's stream.
      for (const [text, reply] of [...UP_TO_THE_SECRET_NUMBER('SOON12345'), ['5555', LOCKED_FOR] as const]) {
        await post(talking, { type: 'message', text, locale: 'en-GB' });
        await inbox.botSays(reply);
      }
      const lockedUntil = service.lockedUntil();
      // Both instances give the same log.
      const read = async (bot: RunningBot) =>
        (
          (await (
            await fetch(`${bot.url}/v3/directline/conversations/${grant.conversationId}/activities`, {
              headers: { authorization: `Bearer ${grant.token}` },
            })
          ).json()) as { activities: Array<{ id: string }> }
        ).activities.map((activity) => activity.id);
      expect(await read(first)).toEqual(await read(second));
      talked.close();
      talking.end();

      // The instance that ran the lock check goes away; the other one says when the lock has ended.
      await first.close();
      firstStopped = true;
      // The first instance stopped before the lock ended: the reminder can only come from the second.
      expect(Date.now()).toBeLessThan(lockedUntil);
      const reminder = await inbox.botSays(LOCK_ENDED);
      expect(reminder.from.role).toBe('bot');
      expect(Date.now()).toBeGreaterThanOrEqual(lockedUntil);
    } finally {
      inbox.close();
      listening.end();
    }
  });
});
