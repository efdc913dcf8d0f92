import { randomInt } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { loadConfig } from '../../src/config';
import { startBot, type RunningBot } from '../../src/index';
import { createRedis, type RedisClient } from '../../src/state/redisConnection';
import { content, english } from '../support/helpers';
import { HttpConversation } from '../support/httpConversation';
import { everything, RedisServer } from '../support/redisServer';
import { tempFolder } from '../support/tempFolders';
import { webChatConversation } from '../support/webChatConversation';

// Canaries: values that appear nowhere else, so any copy of them found at rest is a leak.
const CANARY_SECRET = String(randomInt(3000, 9999));
const CANARY_ID = `CANARY${randomInt(1000, 9999)}`;
const CANARY_NAME = `Canary Display ${randomInt(100000, 999999)}`;
const wholeSecret = new RegExp(`\\b${CANARY_SECRET}\\b`, 'g');

describe('no secret number outlives its use: Redis, logs and /metrics after each path', () => {
  let redisServer: RedisServer;
  let redis: RedisClient;
  let bot: RunningBot;
  const logLines: string[] = [];

  beforeAll(async () => {
    redisServer = await RedisServer.start();
    redis = createRedis({ url: redisServer.url });
    await redis.connect();
    const folder = tempFolder('canaries-');
    const accountsFile = path.join(folder, 'accounts.json');
    const account = { idNumber: CANARY_ID, secretNumber: CANARY_SECRET, email: 'canary@example.org' };
    writeFileSync(accountsFile, JSON.stringify([{ ...account, password: 'canary-pass-1', lockedForMinutes: 25 }]));
    const logger = pino(
      { level: 'debug' },
      new Writable({ write: (chunk, _encoding, done) => (logLines.push(String(chunk)), done()) }),
    );
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      REDIS_URL: redisServer.url,
      ACCOUNTS_FILE: accountsFile,
      TOKENS_PER_MINUTE: '100',
    });
    bot = await startBot(config, logger);
  });
  afterAll(async () => {
    await bot.close();
    redis.disconnect();
    await redisServer.stop();
  });

  /** Where the secret is still found: Redis keys, the log, /metrics. */
  async function whereIsTheSecret(): Promise<string[]> {
    const places: string[] = [];
    for (const [key, text] of await everything(redis)) if (wholeSecret.test(text)) places.push(`redis ${key}`);
    if (logLines.some((line) => line.match(wholeSecret))) places.push('log');
    const metrics = await (await fetch(`${bot.url}/metrics`)).text();
    if (metrics.match(wholeSecret)) places.push('/metrics');
    return places;
  }

  /** A Web Chat conversation on the bot's own Direct Line, its user named with the canary display name. */
  const webChat = () => webChatConversation(bot.url, { from: { id: 'page', name: CANARY_NAME } });

  /** A Web Chat conversation with the closed-centre request answered, the canary ID and secret included. */
  async function helpdeskRequestAnswered(fullName: string, centreName: string) {
    const chat = await webChat();
    await chat.post({ text: 'hi' });
    await chat.post({ value: { goto: 'centreClosed' } });
    await chat.post({ value: { choice: 'helpdeskRequest', state: 'centreClosed' } });
    for (const answer of [
      fullName,
      'B2 First',
      '14/06/2025',
      centreName,
      'canary@example.org',
      CANARY_ID,
      CANARY_SECRET,
    ])
      await chat.post({ text: answer });
    return chat;
  }

  it('a lock check on Web Chat (which also schedules the reminder for the lock’s end) keeps no secret', async () => {
    const chat = await webChat();
    await chat.post({ text: 'hi' });
    await chat.post({ value: { goto: 'lockout' } });
    await chat.post({ value: { choice: 'lockoutCheck', state: 'lockout' } });
    await chat.post({ text: CANARY_ID });
    const reply = await chat.post({ text: CANARY_SECRET });
    expect(reply).toContain(english('lockoutLocked.then'));
    const transcript = await chat.transcript();
    expect(transcript).not.toMatch(wholeSecret);
    expect(transcript).not.toContain(CANARY_ID);
    expect(await whereIsTheSecret()).toEqual([]);
    // The reminder keeps how to reach the conversation, not who the candidate is.
    const reminders = [...(await everything(redis))].filter(([key]) => key.includes('reminder'));
    expect(reminders).toHaveLength(1);
    expect(reminders[0]![1]).not.toContain(CANARY_NAME);
  });

  it('a helpdesk request waiting at its summary keeps the secret number encrypted, then files it whole', async () => {
    const chat = await helpdeskRequestAnswered('Bea Canary', 'Centro Sealed');
    // The summary waits for "send": the answers are at rest between two turns.
    expect(await whereIsTheSecret()).toEqual([]);

    const sent = await chat.post({ value: { choice: 'send', state: 'helpdeskRequest.confirm' } });
    const { accounts } = bot.embeddedAccountService!;
    const request = (await accounts.helpdeskRequests()).find((each) => each.centreName === 'Centro Sealed');
    expect(request).toBeDefined();
    expect(sent).toContain(request!.reference);
    expect(await accounts.filedWithSecret(request!.reference, CANARY_SECRET)).toBe(true);
    expect(await whereIsTheSecret()).toEqual([]);
  });

  it('a helpdesk request set aside drops the secret number and asks for it again on return', async () => {
    const chat = await helpdeskRequestAnswered('Ana Canary', 'Centro Canary');
    // At the summary; another topic sets the form aside.
    await chat.post({ value: { goto: 'findCentre' } });
    expect(await whereIsTheSecret()).toEqual([]);

    await chat.post({ value: { goto: 'centreClosed' } });
    const resumed = await chat.post({ value: { choice: 'helpdeskRequest', state: 'centreClosed' } });
    expect(resumed).toContain(english('ask.secretNumber'));
    const summary = await chat.post({ text: CANARY_SECRET });
    expect(summary).toContain('Ana Canary');
    const sent = await chat.post({ value: { choice: 'send', state: 'helpdeskRequest.confirm' } });
    const sentNode = content().dialog.nodes.helpdeskRequestSent as { say: string[] };
    expect(sent).toContain(english(sentNode.say[0]!, { reference: '' }).slice(0, 20));
    expect(await chat.transcript()).not.toMatch(wholeSecret);
    expect(await whereIsTheSecret()).toEqual([]);
    // The request was filed with the secret number, and the helpdesk can still check it.
    const { accounts } = bot.embeddedAccountService!;
    const [request] = await accounts.helpdeskRequests();
    expect(await accounts.filedWithSecret(request!.reference, CANARY_SECRET)).toBe(true);
  });
});

describe('the key that keeps secret answers encrypted between turns, with several instances', () => {
  const KEY = 'state-key-'.repeat(4);
  let redisServer: RedisServer;
  const bots: RunningBot[] = [];
  let withKey: RunningBot;
  let sameKey: RunningBot;
  let ownKey: RunningBot;

  beforeAll(async () => {
    redisServer = await RedisServer.start();
    const start = (env: Record<string, string>) =>
      startBot(
        loadConfig({ PORT: '0', HOST: '127.0.0.1', REDIS_URL: redisServer.url, ...env }),
        pino({ level: 'silent' }),
      );
    // Two instances with the shared key, and one that makes up its own (as without STATE_ENCRYPTION_KEY).
    const envs: Array<Record<string, string>> = [{ STATE_ENCRYPTION_KEY: KEY }, { STATE_ENCRYPTION_KEY: KEY }, {}];
    for (const env of envs) bots.push(await start(env));
    [withKey, sameKey, ownKey] = bots as [RunningBot, RunningBot, RunningBot];
  });
  afterAll(async () => {
    for (const each of bots) await each.close();
    await redisServer.stop();
  });

  /** The closed-centre request answered up to its summary on one instance. */
  async function atTheSummary(url: string, id: string, centre: string): Promise<HttpConversation> {
    const chat = new HttpConversation(url, id);
    await chat.say('hi');
    await chat.choose('centreClosed');
    await chat.choose('helpdeskRequest');
    for (const [slot, answer] of [
      ['fullName', 'Dora Instances'],
      ['exam', 'B2 First'],
      ['examDate', '14/06/2025'],
      ['centreName', centre],
      ['email', 'dora@example.org'],
      ['idNumber', CANARY_ID],
      ['secretNumber', CANARY_SECRET],
    ] as const)
      await chat.answer(slot, answer);
    expect(chat.last?.trace?.expecting).toBe('confirm');
    return chat;
  }

  async function filed(bot: RunningBot, centre: string) {
    const requests = await bot.embeddedAccountService!.accounts.helpdeskRequests();
    return requests.filter((request) => request.centreName === centre);
  }

  it('an instance with the same key sends the request the other one summed up, with its secret number', async () => {
    const summary = await atTheSummary(withKey.url, 'shared-key', 'Centro Shared');
    const chat = new HttpConversation(sameKey.url, 'shared-key');
    chat.last = summary.last;
    const sent = await chat.choose('send', 'helpdeskRequestSent');
    const [request] = await filed(sameKey, 'Centro Shared');
    expect(sent.text).toContain(request!.reference);
    expect(await sameKey.embeddedAccountService!.accounts.filedWithSecret(request!.reference, CANARY_SECRET)).toBe(
      true,
    );
  });

  it('an instance that cannot read the secret number asks for it again instead of failing, then sends', async () => {
    const summary = await atTheSummary(withKey.url, 'other-key', 'Centro Other');
    const chat = new HttpConversation(ownKey.url, 'other-key');
    chat.last = summary.last;
    const asked = await chat.send({ value: { choice: 'send', state: 'helpdeskRequest.confirm' } });
    expect(asked.status).toBe(200);
    expect(asked.trace?.expecting).toBe('secretNumber');
    expect(asked.text).toContain(english('common:secretAgain'));
    expect(await filed(ownKey, 'Centro Other')).toEqual([]);

    // Answered again, the summary comes back (masked), and the request is filed with the right secret number.
    const again = await chat.answer('secretNumber', CANARY_SECRET);
    expect(again.trace?.expecting).toBe('confirm');
    expect(again.text).toContain('Centro Other');
    expect(again.text).not.toMatch(wholeSecret);
    const sent = await chat.choose('send', 'helpdeskRequestSent');
    const [request] = await filed(ownKey, 'Centro Other');
    expect(sent.text).toContain(request!.reference);
    expect(await ownKey.embeddedAccountService!.accounts.filedWithSecret(request!.reference, CANARY_SECRET)).toBe(true);
  });
});
