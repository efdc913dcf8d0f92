import { loadConfig } from '../../src/config';
import { startBot, type RunningBot } from '../../src/index';
import { createLogger } from '../../src/logger';
import { english } from '../support/helpers';
import { RedisServer } from '../support/redisServer';

interface Transcript {
  activities: Array<{ id: string; type: string; text?: string; from: { role?: string } }>;
}

/** A conversation on the bot's own Direct Line, over HTTP as the page holds it. */
async function conversation(botUrl: string) {
  const granted = (await (await fetch(`${botUrl}/api/directline/token`, { method: 'POST' })).json()) as {
    token: string;
  };
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${granted.token}` };
  const started = (await (
    await fetch(`${botUrl}/v3/directline/conversations`, { method: 'POST', headers })
  ).json()) as { conversationId: string };
  const base = `${botUrl}/v3/directline/conversations/${started.conversationId}/activities`;
  return {
    post: async (activity: Record<string, unknown>) => {
      const response = await fetch(base, { method: 'POST', headers, body: JSON.stringify(activity) });
      return { status: response.status, id: ((await response.json()) as { id?: string }).id };
    },
    transcript: async () => (await (await fetch(`${base}?watermark=0`, { headers })).json()) as Transcript,
  };
}

describe.each(['memory', 'redis'] as const)('a post sent again with the same client activity id (%s)', (kind) => {
  let redis: RedisServer | undefined;
  let bot: RunningBot;
  beforeAll(async () => {
    redis = kind === 'redis' ? await RedisServer.start() : undefined;
    bot = await startBot(
      loadConfig({ PORT: '0', HOST: '127.0.0.1', ...(redis ? { REDIS_URL: redis.url } : {}) }),
      createLogger('silent'),
    );
  });
  afterAll(async () => {
    await bot.close();
    await redis?.stop();
  });

  it('is kept once and answered once, and both sends get the same id', async () => {
    const chat = await conversation(bot.url);
    const join = { type: 'event', name: 'webchat/join', value: { language: 'en' }, from: { id: 'page' } };
    expect((await chat.post({ ...join, channelData: { clientActivityID: 'join-1' } })).status).toBe(200);
    const message = {
      type: 'message',
      text: 'I forgot my password',
      from: { id: 'page' },
      channelData: { clientActivityID: 'message-1' },
    };
    // A balancer or the page retrying: one after the other, and two at once.
    const first = await chat.post(message);
    const again = await Promise.all([chat.post(message), chat.post(message)]);
    expect(first.status).toBe(200);
    expect(again).toEqual([first, first]);

    const { activities } = await chat.transcript();
    expect(activities.filter((activity) => activity.text === message.text)).toHaveLength(1);
    const answers = activities.filter(
      (activity) =>
        activity.from.role === 'bot' && activity.text?.includes(english('forgotPassword.body').slice(0, 30)),
    );
    expect(answers).toHaveLength(1);
    // Another id is another message.
    const other = await chat.post({ ...message, channelData: { clientActivityID: 'message-2' } });
    expect(other.id).not.toBe(first.id);
  });
});
