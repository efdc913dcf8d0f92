import { loadConfig } from '../../src/config';
import { startBot, type RunningBot } from '../../src/index';
import { createLogger } from '../../src/logger';
import { content } from '../support/helpers';
import { HttpConversation } from '../support/httpConversation';
import { ScriptedAccountService } from '../support/scriptedAccountService';
import type { FormNode } from '../../src/content/dialogSchema';

/** The node a form goes to for an outcome of its account-service call, as the dialog file says. */
const outcome = (form: string, name: string) => (content().dialog.nodes[form] as FormNode).outcomes[name]!;

describe('when the account service refuses for too many requests (HTTP 429)', () => {
  let service: ScriptedAccountService;
  let bot: RunningBot;
  beforeAll(async () => {
    service = await ScriptedAccountService.start(() => ({
      status: 429,
      headers: { 'retry-after': '60' },
      body: { error: 'rate_limited', message: 'Too many requests; try again in 60 seconds.' },
    }));
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      ACCOUNT_SERVICE_URL: service.url,
      ACCOUNT_SERVICE_TOKEN: service.token,
    });
    bot = await startBot(config, createLogger('silent'));
  });
  afterAll(async () => {
    await bot.close();
    await service.close();
  });

  async function start(name: string): Promise<HttpConversation> {
    const chat = new HttpConversation(bot.url, name);
    expect((await chat.say('hi')).trace?.state).toBe(content().dialog.start);
    return chat;
  }

  it('tells a candidate checking their lock that they tried too often, not that the numbers differ', async () => {
    const chat = await start('limited-check');
    await chat.choose('lockout');
    await chat.choose('lockoutCheck');
    await chat.answer('idNumber', 'ABC123456');
    const reply = await chat.answer('secretNumber', '1234');
    expect(service.requests.map((request) => request.path)).toEqual(['/v1/lock-status']);
    expect(reply.trace?.state).toBe(outcome('lockoutCheck', 'tooManyAttempts'));
  });

  it('tells the candidate asking for a reset email that one was sent recently, not that it is on its way', async () => {
    const chat = await start('limited-reset');
    await chat.choose('forgotPassword');
    await chat.choose('passwordReset');
    const reply = await chat.answer('idNumber', 'ABC123456');
    expect(service.requests.map((request) => request.path)).toContain('/v1/password-resets');
    expect(reply.trace?.state).toBe(outcome('passwordReset', 'recentlySent'));
  });
});
