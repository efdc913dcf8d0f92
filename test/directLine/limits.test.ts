import { loadConfig } from '../../src/config';
import { startBot, type RunningBot } from '../../src/index';
import { createLogger } from '../../src/logger';
import { LocalDirectLine, DirectLineError } from '../../src/directLine/localDirectLine';
import { DirectLineTokens } from '../../src/directLine/tokens';
import { createRedis, type RedisClient } from '../../src/state/redisConnection';
import { RedisServer } from '../support/redisServer';

jest.setTimeout(90_000);

interface Grant {
  token: string;
  conversationId: string;
  expires_in: number;
}

const call = (url: string, init: RequestInit & { token?: string } = {}) =>
  fetch(url, {
    ...init,
    headers: { 'content-type': 'application/json', ...(init.token ? { authorization: `Bearer ${init.token}` } : {}) },
  });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A token from the page's endpoint and its conversation opened, as Web Chat does first. */
async function opened(url: string): Promise<Grant> {
  const response = await call(`${url}/api/directline/token`, { method: 'POST' });
  expect(response.status).toBe(200);
  const grant = (await response.json()) as Grant;
  expect((await call(`${url}/v3/directline/conversations`, { method: 'POST', token: grant.token })).status).toBe(201);
  return grant;
}

/** The refusal a client can act on: the status, a whole number of seconds to wait, and a JSON body. */
async function refusal(response: Response): Promise<{ status: number; retryAfter: number; body: unknown }> {
  return {
    status: response.status,
    retryAfter: Number(response.headers.get('retry-after')),
    body: await response.json(),
  };
}

describe('the web chat while Redis is out', () => {
  let redis: RedisServer;
  let bot: RunningBot;

  beforeAll(async () => {
    redis = await RedisServer.start();
    bot = await startBot(
      loadConfig({ PORT: '0', HOST: '127.0.0.1', REDIS_URL: redis.url, TOKENS_PER_MINUTE: '1000' }),
      createLogger('silent'),
    );
  });
  afterAll(async () => {
    redis.thaw();
    await bot?.close();
    await redis?.stop();
  });

  const activities = (grant: Grant) => `${bot.url}/v3/directline/conversations/${grant.conversationId}/activities`;

  it.each([
    ['stopped', () => redis.stop(), () => redis.resume()],
    ['hung', async () => redis.freeze(), async () => redis.thaw()],
  ])('answers 503 with Retry-After while Redis is %s, and chats again once it is back', async (_how, down, up) => {
    const before = await opened(bot.url);
    await down();
    try {
      const token = await refusal(await call(`${bot.url}/api/directline/token`, { method: 'POST' }));
      expect(token).toEqual({
        status: 503,
        retryAfter: expect.any(Number),
        body: { error: 'chat_unavailable', message: expect.stringMatching(/Redis|storage|unavailable/i) },
      });
      expect(token.retryAfter).toBeGreaterThanOrEqual(1);
      expect(token.retryAfter).toBeLessThanOrEqual(60);

      const direct = [
        call(activities(before), { method: 'POST', token: before.token, body: '{"type":"message","text":"hi"}' }),
        call(activities(before), { token: before.token }),
        call(`${bot.url}/v3/directline/conversations`, { method: 'POST', token: before.token }),
        call(`${bot.url}/v3/directline/conversations/${before.conversationId}`, { token: before.token }),
      ];
      for (const answer of await Promise.all(direct.map(async (each) => refusal(await each)))) {
        expect(answer).toEqual({
          status: 503,
          retryAfter: expect.any(Number),
          body: { error: { code: 'ServiceUnavailable', message: expect.any(String) } },
        });
        expect(answer.retryAfter).toBeGreaterThanOrEqual(1);
      }
    } finally {
      await up();
    }
    // Back by itself: a new page visit gets a token that works, and the earlier conversation goes on.
    let status = 0;
    for (let attempt = 0; attempt < 100 && status !== 200; attempt++) {
      status = (await call(`${bot.url}/api/directline/token`, { method: 'POST' })).status;
      if (status !== 200) await sleep(100);
    }
    expect(status).toBe(200);
    await opened(bot.url);
    if (_how === 'hung') {
      const posted = await call(activities(before), { method: 'POST', token: before.token, body: '{"type":"typing"}' });
      expect(posted.status).toBe(200);
    }
  });
});

describe('a flood of posts from one token', () => {
  let redis: RedisServer;
  let client: RedisClient;
  let bot: RunningBot;
  const transcriptBytes = 128 * 1024;

  beforeAll(async () => {
    redis = await RedisServer.start();
    client = createRedis({ url: redis.url });
    await client.connect();
    bot = await startBot(
      loadConfig({
        PORT: '0',
        HOST: '127.0.0.1',
        REDIS_URL: redis.url,
        TOKENS_PER_MINUTE: '1000',
        DIRECT_LINE_POSTS_PER_MINUTE: '30',
        DIRECT_LINE_TRANSCRIPT_BYTES: String(transcriptBytes),
      }),
      createLogger('silent'),
    );
  });
  afterAll(async () => {
    await bot?.close();
    client?.disconnect();
    await redis?.stop();
  });

  it('is refused with 429 and Retry-After past the rate; the transcript in Redis stays under its cap', async () => {
    const grant = await opened(bot.url);
    const url = `${bot.url}/v3/directline/conversations/${grant.conversationId}/activities`;
    // Just under the 32 KB an activity may have: each one alone is acceptable.
    const body = JSON.stringify({ type: 'event', name: 'flood', value: 'x'.repeat(31 * 1024) });
    const statuses: number[] = [];
    let refused: Awaited<ReturnType<typeof refusal>> | undefined;
    for (let n = 0; n < 60; n++) {
      const response = await call(url, { method: 'POST', token: grant.token, body });
      statuses.push(response.status);
      if (response.status === 429) refused ??= await refusal(response);
      else await response.text();
    }
    expect(statuses.slice(0, 30)).toEqual(Array(30).fill(200));
    expect(statuses.slice(30)).toEqual(Array(30).fill(429));
    expect(refused).toEqual({
      status: 429,
      retryAfter: expect.any(Number),
      body: { error: { code: 'TooManyRequests', message: expect.stringContaining('30') } },
    });
    expect(refused!.retryAfter).toBeGreaterThanOrEqual(1);
    expect(refused!.retryAfter).toBeLessThanOrEqual(60);

    // Everything Redis keeps for this conversation, the rate counter included.
    const keys = await client.keys(`*${grant.conversationId}*`);
    expect(keys.length).toBeGreaterThan(0);
    let bytes = 0;
    for (const key of keys) bytes += Number(await client.memory('USAGE', key));
    expect(bytes).toBeLessThan(transcriptBytes + 40 * 1024);

    // Another conversation is not held back by this one.
    const other = await opened(bot.url);
    const posted = await call(`${bot.url}/v3/directline/conversations/${other.conversationId}/activities`, {
      method: 'POST',
      token: other.token,
      body: '{"type":"typing"}',
    });
    expect(posted.status).toBe(200);
  });
});

/**
 * With a limit of three tokens a minute and one already given: two more through `renew`, each from the last,
 * then 429 with Retry-After, and the page's own endpoint refuses too (they share the count).
 */
async function expectThirdRefused(url: string, first: string, renew: (token: string) => Promise<Response>) {
  let token = first;
  for (let renewal = 0; renewal < 2; renewal++) {
    const renewed = await renew(token);
    expect(renewed.status).toBe(200);
    token = ((await renewed.json()) as Grant).token;
  }
  const third = await refusal(await renew(token));
  expect(third).toEqual({
    status: 429,
    retryAfter: expect.any(Number),
    body: { error: { code: 'TooManyRequests', message: expect.any(String) } },
  });
  expect(third.retryAfter).toBeGreaterThanOrEqual(1);
  expect((await call(`${url}/api/directline/token`, { method: 'POST' })).status).toBe(429);
}

/** A bot of its own (the address's count starts afresh) that gives one address three tokens a minute. */
const threeTokensAMinute = () =>
  startBot(
    loadConfig({ PORT: '0', HOST: '127.0.0.1', TOKEN_BURST: '3', TOKENS_PER_MINUTE: '3' }),
    createLogger('silent'),
  );

describe('token refresh', () => {
  let bot: RunningBot;

  beforeAll(async () => {
    bot = await threeTokensAMinute();
  });
  afterAll(() => bot?.close());

  it("counts against the token endpoint's per-address limit", async () => {
    const grant = (await (await call(`${bot.url}/api/directline/token`, { method: 'POST' })).json()) as Grant;
    await expectThirdRefused(bot.url, grant.token, (token) =>
      call(`${bot.url}/v3/directline/tokens/refresh`, { method: 'POST', token }),
    );
  });

  it('ends at the maximum lifetime of the conversation, however often the token was refreshed', () => {
    let now = Date.parse('2026-03-10T09:00:00Z');
    const clock = () => now;
    const directLine = new LocalDirectLine({
      deliver: async () => undefined,
      serviceUrl: () => 'http://127.0.0.1:9/',
      bot: { id: 'bot', name: 'Bot' },
      tokens: new DirectLineTokens('a key for this test only', clock, 24 * 3600),
      now: clock,
    });
    let { token } = directLine.issue();
    // Web Chat refreshes every 15 minutes; the last refresh that can be granted ends at the 24th hour.
    for (let minutes = 15; minutes < 24 * 60; minutes += 15) {
      now += 15 * 60_000;
      const refreshed = directLine.refresh(token);
      expect(refreshed.expires_in).toBeGreaterThan(0);
      expect(now + refreshed.expires_in * 1000).toBeLessThanOrEqual(Date.parse('2026-03-11T09:00:00Z'));
      token = refreshed.token;
    }
    now = Date.parse('2026-03-11T09:00:00Z');
    expect(() => directLine.refresh(token)).toThrow(DirectLineError);
    expect(directLine.tokens.verify(token)).toBeUndefined();
    void directLine.close();
  });
});

describe('reconnecting to a conversation', () => {
  let bot: RunningBot;

  beforeAll(async () => {
    bot = await threeTokensAMinute();
  });
  afterAll(() => bot?.close());

  it("gives a fresh token, so it counts against the token endpoint's per-address limit", async () => {
    const grant = await opened(bot.url);
    await expectThirdRefused(bot.url, grant.token, (token) =>
      call(`${bot.url}/v3/directline/conversations/${grant.conversationId}?watermark=0`, { token }),
    );
  });
});
