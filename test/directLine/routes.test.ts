import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import WebSocket from 'ws';
import path from 'node:path';
import { newToken, startAccountService, type RunningAccountService } from '../../src/referenceService/app';
import { loadConfig } from '../../src/config';
import { startBot, type RunningBot } from '../../src/index';
import { createLogger } from '../../src/logger';
import { DirectLineTokens } from '../../src/directLine/tokens';
import { BotProcess } from '../support/botProcess';
import {
  converse,
  directLineClient,
  Inbox,
  LOCK_ENDED,
  LOCKED_FOR,
  opening,
  post,
  UP_TO_THE_SECRET_NUMBER,
} from '../support/directLineClient';
import { english, ROOT } from '../support/helpers';
import { shortLockService } from '../support/scriptedAccountService';

jest.setTimeout(60_000);

/** The first words of a text, before any markdown or placeholder, to recognise it in a reply. */

interface Grant {
  token: string;
  conversationId: string;
  userId: string;
  expires_in: number;
}

async function grant(url: string): Promise<Grant> {
  const response = await fetch(`${url}/api/directline/token`, { method: 'POST' });
  expect(response.status).toBe(200);
  return (await response.json()) as Grant;
}

describe('the local Direct Line endpoint, with the official directlinejs client', () => {
  let bot: RunningBot;
  // How long each lock check finds the account still locked: the time the reply has to reach the candidate
  // before the reminder may, generous for a loaded machine.
  const lockMs = 3000;
  let service: Awaited<ReturnType<typeof shortLockService>>;

  beforeAll(async () => {
    service = await shortLockService(lockMs);
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      ACCOUNT_SERVICE_URL: service.url,
      ACCOUNT_SERVICE_TOKEN: service.token,
      TOKENS_PER_MINUTE: '1000',
    });
    bot = await startBot(config, createLogger('silent'));
  });
  afterAll(async () => {
    await bot.close();
    await service.close();
  });

  it.each([
    ['polling', false],
    ['WebSocket', true],
  ])('holds a conversation over %s: welcome on join, buttons, typed text', async (_name, webSocket) => {
    const { token, userId } = await grant(bot.url);
    expect(userId).toMatch(/^dl_[A-Za-z0-9_-]{20,}$/);
    const client = directLineClient({ token, domain: `${bot.url}/v3/directline`, webSocket });
    const inbox = new Inbox(client);
    try {
      await post(client, { type: 'event', name: 'webchat/join', value: { language: 'en' }, locale: 'en-GB' } as never);
      const welcome = await inbox.botSays(english('common:welcome'));
      expect(welcome.suggestedActions?.actions.map((action: { title: string }) => action.title)).toContain(
        english('menu.choice.forgotPassword'),
      );
      expect(welcome.suggestedActions?.to).toEqual([userId]);

      await post(client, { type: 'message', text: 'I forgot my password', locale: 'en-GB' });
      await inbox.botSays(opening('forgotPassword.body'));

      // The user's own messages come back in the stream, under the user id the token carries.
      const echoed = inbox.received.find(
        (activity) => activity.type === 'message' && activity.text === 'I forgot my password',
      );
      expect(echoed?.from).toMatchObject({ id: userId, role: 'user' });
      // The bot's internals stay on the server: no dialog-state traces, no Bot Connector address.
      expect(inbox.received.filter((activity) => activity.type === 'trace')).toEqual([]);
      expect(inbox.received.some((activity) => 'serviceUrl' in activity)).toBe(false);
    } finally {
      inbox.close();
      client.end();
    }
  });

  it('sends a message later, unasked: when the lock it reported ends', async () => {
    const { token } = await grant(bot.url);
    const client = directLineClient({ token, domain: `${bot.url}/v3/directline`, webSocket: true });
    const inbox = new Inbox(client);
    try {
      await post(client, { type: 'event', name: 'webchat/join', value: { language: 'en' }, locale: 'en-GB' } as never);
      const welcome = await inbox.botSays(english('common:welcome'));
      await converse(client, inbox, UP_TO_THE_SECRET_NUMBER('SOON12345'));
      const locked = await converse(client, inbox, [['5555', LOCKED_FOR]]);
      const lockedUntil = service.lockedUntil();

      // Nothing more is posted: the next message is the bot's own, once the lock is over.
      const reminder = await inbox.botSays(LOCK_ENDED);
      expect(Date.now()).toBeGreaterThanOrEqual(lockedUntil);
      // It answers nothing the transcript holds: Web Chat would hold it back waiting for what it replies to.
      expect(reminder.replyToId).toBeUndefined();
      expect(inbox.received.indexOf(reminder)).toBeGreaterThan(inbox.received.indexOf(locked));
      const userMessagesAfterLock = inbox.received
        .slice(inbox.received.indexOf(locked))
        .filter((activity) => activity.from.role === 'user');
      expect(userMessagesAfterLock).toEqual([]);

      // It comes with the main menu's buttons, as the menu shows them in this channel, and they work.
      const titles = (activity: typeof welcome) =>
        (activity.suggestedActions?.actions ?? []).map((action: { title: string }) => action.title);
      expect(titles(reminder)).toEqual(titles(welcome));
      expect(reminder.suggestedActions?.to).toEqual(welcome.suggestedActions?.to);
      const forgotten = titles(reminder).find((title: string) => title === english('menu.choice.forgotPassword'));
      await post(client, { type: 'message', text: forgotten!, locale: 'en-GB' });
      await inbox.botSays(opening('forgotPassword.body'));
    } finally {
      inbox.close();
      client.end();
    }
  });

  describe('the protocol, over plain HTTP', () => {
    const call = (url: string, init: RequestInit & { token?: string } = {}) =>
      fetch(url, {
        ...init,
        headers: {
          'content-type': 'application/json',
          ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
        },
      });

    it('returns activities after a watermark, and only those', async () => {
      const { token, conversationId } = await grant(bot.url);
      const base = `${bot.url}/v3/directline/conversations`;
      expect((await call(base, { method: 'POST', token })).status).toBe(201);
      const sent = await call(`${base}/${conversationId}/activities`, {
        method: 'POST',
        token,
        body: JSON.stringify({ type: 'message', text: 'hello', from: { id: 'someone-else' } }),
      });
      expect(sent.status).toBe(200);
      const all = (await (await call(`${base}/${conversationId}/activities`, { token })).json()) as {
        activities: Array<{ id: string; from: { id: string } }>;
        watermark: string;
      };
      expect(all.activities.length).toBeGreaterThanOrEqual(2);
      expect(all.activities[0]!.from.id).toMatch(/^dl_/);
      const later = (await (
        await call(`${base}/${conversationId}/activities?watermark=${all.watermark}`, { token })
      ).json()) as { activities: unknown[]; watermark: string };
      expect(later).toEqual({ activities: [], watermark: all.watermark });
      const fromOne = (await (await call(`${base}/${conversationId}/activities?watermark=1`, { token })).json()) as {
        activities: Array<{ id: string }>;
      };
      expect(fromOne.activities.map((activity) => activity.id)).toEqual(
        all.activities.slice(1).map((activity) => activity.id),
      );
    });

    it("refuses requests without a valid token for that conversation, in Direct Line's error format", async () => {
      const mine = await grant(bot.url);
      const theirs = await grant(bot.url);
      const base = `${bot.url}/v3/directline/conversations`;
      await call(base, { method: 'POST', token: theirs.token });

      const anonymous = await call(`${base}/${theirs.conversationId}/activities`);
      expect(anonymous.status).toBe(403);
      expect(await anonymous.json()).toEqual({
        error: { code: 'Forbidden', message: expect.stringContaining('Bearer') },
      });
      const crossed = await call(`${base}/${theirs.conversationId}/activities`, { token: mine.token });
      expect(crossed.status).toBe(403);
      const forged = await call(`${base}/${theirs.conversationId}/activities`, {
        token: `${theirs.token.slice(0, -4)}AAAA`,
      });
      expect(forged.status).toBe(403);
      expect(((await forged.json()) as { error: { code: string } }).error.code).toBe('TokenExpired');
    });

    it('names what is wrong with a posted activity', async () => {
      const { token, conversationId } = await grant(bot.url);
      const base = `${bot.url}/v3/directline/conversations`;
      await call(base, { method: 'POST', token });
      const wrongType = await call(`${base}/${conversationId}/activities`, {
        method: 'POST',
        token,
        body: JSON.stringify({ type: 'invoke' }),
      });
      expect(wrongType.status).toBe(400);
      expect(((await wrongType.json()) as { error: { message: string } }).error.message).toMatch(
        /"type" must be one of message, event, typing/,
      );
      const notJson = await call(`${base}/${conversationId}/activities`, { method: 'POST', token, body: '{oops' });
      expect(notJson.status).toBe(400);
      const upload = await call(`${base}/${conversationId}/upload`, { method: 'POST', token });
      expect(upload.status).toBe(415);
    });

    it('refreshes a token for the same conversation and user', async () => {
      const { token, conversationId } = await grant(bot.url);
      const refreshed = await call(`${bot.url}/v3/directline/tokens/refresh`, { method: 'POST', token });
      expect(refreshed.status).toBe(200);
      const body = (await refreshed.json()) as Grant;
      expect(body.conversationId).toBe(conversationId);
      expect(body.expires_in).toBe(1800);
    });

    it('keeps its Bot Connector routes behind an unguessable path: nobody can speak as the bot', async () => {
      const { token, conversationId } = await grant(bot.url);
      await call(`${bot.url}/v3/directline/conversations`, { method: 'POST', token });
      const spoof = { type: 'message', text: 'spoofed' };
      for (const path of [
        `/v3/conversations/${conversationId}/activities`,
        `/connector/guess/v3/conversations/${conversationId}/activities`,
        `/connector/v3/conversations/${conversationId}/activities`,
      ]) {
        expect((await call(`${bot.url}${path}`, { method: 'POST', body: JSON.stringify(spoof) })).status).toBe(404);
      }
      const log = (await (
        await call(`${bot.url}/v3/directline/conversations/${conversationId}/activities`, { token })
      ).json()) as { activities: Array<{ text?: string }> };
      expect(log.activities.map((activity) => activity.text)).not.toContain('spoofed');
    });

    it('reconnects to a conversation: a new token and a stream that starts after the watermark', async () => {
      const { token, conversationId } = await grant(bot.url);
      const base = `${bot.url}/v3/directline/conversations`;
      await call(base, { method: 'POST', token });
      await call(`${base}/${conversationId}/activities`, {
        method: 'POST',
        token,
        body: JSON.stringify({ type: 'message', text: 'first' }),
      });
      await call(`${base}/${conversationId}/activities`, {
        method: 'POST',
        token,
        body: JSON.stringify({ type: 'message', text: 'second' }),
      });
      const { watermark } = (await (
        await call(`${base}/${conversationId}/activities?watermark=2`, { token })
      ).json()) as { watermark: string };
      const again = await call(`${base}/${conversationId}?watermark=2`, { token });
      expect(again.status).toBe(200);
      const info = (await again.json()) as { conversationId: string; token: string; streamUrl: string };
      expect(info.conversationId).toBe(conversationId);
      expect(new URL(info.streamUrl).searchParams.get('watermark')).toBe('2');
      const frames: Array<{ activities: Array<{ text?: string }>; watermark: string }> = [];
      const socket = new WebSocket(info.streamUrl);
      await new Promise<void>((resolve, reject) => {
        socket.on('message', (data) => {
          frames.push(JSON.parse(String(data)));
          resolve();
        });
        socket.on('error', reject);
      });
      socket.close();
      // Only what came after the watermark: the second message and the bot's answer to it.
      expect(frames[0]!.activities.map((activity) => activity.text)).not.toContain('first');
      expect(frames[0]!.activities.map((activity) => activity.text)).toContain('second');
      expect(frames[0]!.watermark).toBe(watermark);
    });

    it('refuses an oversized activity and survives malformed stream requests', async () => {
      const { token, conversationId } = await grant(bot.url);
      const base = `${bot.url}/v3/directline/conversations`;
      await call(base, { method: 'POST', token });
      const huge = await call(`${base}/${conversationId}/activities`, {
        method: 'POST',
        token,
        body: JSON.stringify({ type: 'message', text: 'hi', channelData: { padding: 'x'.repeat(100_000) } }),
      });
      expect(huge.status).toBe(413);
      expect(((await huge.json()) as { error: { message: string } }).error.message).toBe(
        'The activity is larger than 32 KB.',
      );

      const port = new URL(bot.url).port;
      const badPath = await rawUpgrade(port, '/v3/directline/conversations/%E0%A4%A/stream');
      expect(badPath).toMatch(/^HTTP\/1\.1 400/);
      // A refused stream that then sends garbage.
      const refused = new WebSocket(
        `ws://127.0.0.1:${port}/v3/directline/conversations/${conversationId}/stream?t=not-a-token`,
      );
      const closed = new Promise<number>((resolve) => refused.on('close', (code) => resolve(code)));
      refused.on('open', () =>
        (refused as unknown as { _socket: { write(data: Buffer): void } })._socket.write(
          Buffer.from([0xff, 0xff, 0xff]),
        ),
      );
      refused.on('error', () => undefined);
      expect([4403, 1002, 1006]).toContain(await closed);
      expect((await fetch(`${bot.url}/healthz`)).status).toBe(200);
    });
  });
});

describe('a turn that takes a while', () => {
  let accounts: RunningAccountService;
  let proxy: Server;
  let bot: RunningBot;
  const delayMs = 1500;

  beforeAll(async () => {
    // The real reference account service, behind a proxy that answers slowly: a turn then waits on it.
    accounts = await startAccountService(
      { port: 0, host: '127.0.0.1', token: newToken(), accountsFile: path.join(ROOT, 'demo', 'accounts.json') },
      createLogger('silent'),
    );
    proxy = createServer(async (req, res) => {
      let body = '';
      for await (const chunk of req) body += chunk;
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      const answer = await fetch(`${accounts.url}${req.url}`, {
        method: req.method,
        headers: req.headers as Record<string, string>,
        ...(body ? { body } : {}),
      });
      res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
      res.end(await answer.text());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    bot = await startBot(
      loadConfig({
        PORT: '0',
        HOST: '127.0.0.1',
        ACCOUNT_SERVICE_URL: proxyUrl,
        ACCOUNT_SERVICE_TOKEN: accounts.token,
      }),
      createLogger('silent'),
    );
  });
  afterAll(async () => {
    await bot.close();
    await new Promise((resolve) => proxy.close(resolve));
    await accounts.close();
  });

  it('shows the bot typing until the answer comes', async () => {
    const { token } = await grant(bot.url);
    const client = directLineClient({ token, domain: `${bot.url}/v3/directline`, webSocket: true });
    const inbox = new Inbox(client);
    try {
      await converse(client, inbox, UP_TO_THE_SECRET_NUMBER('ABC123456'));

      const before = inbox.received.length;
      await post(client, { type: 'message', text: '1234', locale: 'en-GB' });
      const answer = await inbox.botSays(opening('lockoutUnlocked.body'));
      const during = inbox.received.slice(before, inbox.received.indexOf(answer));
      expect(during.some((activity) => activity.type === 'typing' && activity.from.role === 'bot')).toBe(true);
      // Nothing is typing after the answer: the dots do not linger.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(
        inbox.received.slice(inbox.received.indexOf(answer)).filter((activity) => activity.type === 'typing'),
      ).toEqual([]);
    } finally {
      inbox.close();
      client.end();
    }
  });
});

describe('shutting down with chats open', () => {
  it('closes open streams instead of waiting for them, and keeps tokens out of its logs', async () => {
    const bot = await BotProcess.start({});
    const { token, conversationId } = await grant(bot.url);
    const client = directLineClient({ token, domain: `${bot.url}/v3/directline`, webSocket: true });
    const inbox = new Inbox(client);
    await post(client, { type: 'event', name: 'webchat/join', value: { language: 'en' }, locale: 'en-GB' } as never);
    await inbox.botSays(english('common:welcome'));
    // A proxy that drops the Upgrade header turns the stream into a plain GET: refused, and logged.
    const plain = await fetch(`${bot.url}/v3/directline/conversations/${conversationId}/stream?t=${token}`);
    expect(plain.status).toBe(404);
    expect(await bot.stop('SIGTERM')).toBe(0);
    inbox.close();
    client.end();
    expect(bot.output).toContain('request rejected');
    expect(bot.output).not.toContain(token.split('.')[2]!);
  });
});

describe('local Direct Line tokens', () => {
  it('expire, and are refused once expired', () => {
    let now = Date.parse('2026-01-01T10:00:00Z');
    const tokens = new DirectLineTokens('a key for this test only', () => now);
    const { token, expiresIn } = tokens.issue({ conversationId: 'c1', userId: 'dl_user' });
    expect(tokens.verify(token)).toMatchObject({ conversationId: 'c1', userId: 'dl_user' });
    now += (expiresIn + 1) * 1000;
    expect(tokens.verify(token)).toBeUndefined();
  });

  it('are JWTs whose "user" claim Web Chat reads, and another key refuses them', () => {
    const { token } = new DirectLineTokens('first key').issue({ conversationId: 'c1', userId: 'dl_user' });
    const [, payload] = token.split('.');
    expect(JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8'))).toMatchObject({
      user: 'dl_user',
      conv: 'c1',
    });
    expect(new DirectLineTokens('second key').verify(token)).toBeUndefined();
  });
});

/** An upgrade request as a raw socket sends it; resolves with the first line of the answer. */
function rawUpgrade(port: string, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () => {
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
      );
    });
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk));
    socket.on('close', () => resolve(answer.split('\r\n')[0] ?? ''));
    socket.on('error', reject);
  });
}
