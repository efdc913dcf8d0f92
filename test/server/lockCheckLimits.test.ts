import { loadConfig } from '../../src/config';
import { startBot, type RunningBot } from '../../src/index';
import { createLogger } from '../../src/logger';
import { LIMITS } from '../../src/referenceService/referenceAccounts';
import type { FormNode, MessageNode } from '../../src/content/dialogSchema';
import { content, english } from '../support/helpers';
import { HttpConversation } from '../support/httpConversation';
import { webChatConversation } from '../support/webChatConversation';

/** The node a form goes to for an outcome of its account-service call, as the dialog file says. */
const outcome = (form: string, name: string) => (content().dialog.nodes[form] as FormNode).outcomes[name]!;

/** With no time zone from the channel, when to try again is told in minutes: the refusal's words up to them. */
const TRY_AGAIN_SAMPLE = english('lockoutTooMany.body', { count: 7, context: 'inMinutes' });
const TRY_AGAIN_IN = TRY_AGAIN_SAMPLE.split('7')[0]!;
const minutesIn = (text: string) =>
  Number(text.slice(text.indexOf(TRY_AGAIN_IN) + TRY_AGAIN_IN.length).match(/^\d+/)?.[0]);

describe('lock checks are limited per user, across conversations and ID numbers', () => {
  let bot: RunningBot;
  beforeAll(async () => {
    bot = await startBot(loadConfig({ PORT: '0', HOST: '127.0.0.1' }), createLogger('silent'));
  });
  afterAll(async () => {
    await bot.close();
  });

  let conversations = 0;
  /** A new conversation of this user that checks the lock of one more (unknown) ID number. */
  async function checkInNewConversation(user: string) {
    const index = ++conversations;
    const chat = new HttpConversation(bot.url, `limits-${user}-${index}`, { from: { id: user } });
    await chat.say('hi');
    await chat.choose('lockout');
    await chat.choose('lockoutCheck');
    await chat.answer('idNumber', `LIM${String(index).padStart(6, '0')}`);
    return chat.answer('secretNumber', '1234');
  }

  it('refuses the checks past the limit and says when to try again; another user is unaffected', async () => {
    const refused = outcome('lockoutCheck', 'tooManyAttempts');
    const answered = outcome('lockoutCheck', 'unverified');
    for (let check = 0; check < LIMITS.lockChecksPerRequesterPerHour; check++) {
      expect((await checkInNewConversation('prober')).trace?.state).toBe(answered);
    }
    const over = await checkInNewConversation('prober');
    expect(over.trace?.state).toBe(refused);
    // The limits count in clock hours: the next check is possible at the start of the next one, in N minutes.
    expect(over.text).toContain(TRY_AGAIN_IN);
    expect(minutesIn(over.text)).toBeLessThanOrEqual(60);

    expect((await checkInNewConversation('someone-else')).trace?.state).toBe(answered);
  }, 60_000);
});

describe("on the bot's own Direct Line, where every token is a new user id, checks are counted per address", () => {
  let bot: RunningBot;
  beforeAll(async () => {
    const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', TRUST_PROXY: 'true', TOKENS_PER_MINUTE: '100' });
    bot = await startBot(config, createLogger('silent'));
  });
  afterAll(async () => {
    await bot.close();
  });

  let conversations = 0;
  /**
   * A new Web Chat conversation from this address that checks the lock of one more (unknown) ID number; the
   * bot's last message. (Channels other than the Emulator get no state trace, so the buttons name their state.)
   */
  async function checkInNewConversation(address: string): Promise<string> {
    const index = ++conversations;
    const chat = await webChatConversation(bot.url, { headers: { 'x-forwarded-for': address } });
    await chat.post({ text: 'hi' });
    await chat.post({ value: { choice: 'lockout', state: content().dialog.start } });
    await chat.post({ value: { choice: 'lockoutCheck', state: 'lockout' } });
    await chat.post({ text: `WEB${String(index).padStart(6, '0')}` });
    return chat.post({ text: '1234' });
  }

  it('refuses the checks past the limit from one address; another address is unaffected', async () => {
    const unverified = english((content().dialog.nodes[outcome('lockoutCheck', 'unverified')] as MessageNode).say[0]!);
    for (let check = 0; check < LIMITS.lockChecksPerRequesterPerHour; check++) {
      expect(await checkInNewConversation('203.0.113.7')).toContain(unverified);
    }
    expect(await checkInNewConversation('203.0.113.7')).toContain(TRY_AGAIN_IN);
    expect(await checkInNewConversation('198.51.100.20')).toContain(unverified);
  }, 60_000);
});
