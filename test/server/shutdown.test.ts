import { loadConfig } from '../../src/config';
import type { FormNode } from '../../src/content/dialogSchema';
import { startBot, type RunningBot } from '../../src/index';
import { createLogger } from '../../src/logger';
import { content } from '../support/helpers';
import { HttpConversation } from '../support/httpConversation';
import { ScriptedAccountService, type Answer } from '../support/scriptedAccountService';

/** Resolves once nothing listens at `url` any more, failing after `ms`. */
async function stopsListening(url: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const refused = await fetch(`${url}/healthz`).then(
      () => false,
      () => true,
    );
    if (refused) return;
    if (Date.now() > deadline) throw new Error(`${url} still answers ${ms} ms after close()`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('stopping the bot', () => {
  let release: (answer: Answer) => void = () => undefined;
  let service: ScriptedAccountService;
  let bot: RunningBot;
  beforeAll(async () => {
    // The lock check is answered only when the test says so: the turn is still running when the bot stops.
    service = await ScriptedAccountService.start(() => new Promise<Answer>((resolve) => (release = resolve)));
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      ACCOUNT_SERVICE_URL: service.url,
      ACCOUNT_SERVICE_TOKEN: service.token,
    });
    bot = await startBot(config, createLogger('silent'));
  });
  afterAll(async () => service.close());

  it('finishes the turn in progress and answers it in full before it closes', async () => {
    const chat = new HttpConversation(bot.url, 'stopping');
    expect((await chat.say('hi')).trace?.state).toBe(content().dialog.start);
    await chat.choose('lockout');
    await chat.choose('lockoutCheck');
    await chat.answer('idNumber', 'ABC123456');
    const inProgress = chat.answer('secretNumber', '1234');
    await service.received('/v1/lock-status');

    const closed = bot.close();
    await stopsListening(bot.url);
    release({ status: 200, body: { status: 'unlocked' } });
    const reply = await inProgress;
    expect(reply.trace?.state).toBe((content().dialog.nodes.lockoutCheck as FormNode).outcomes.unlocked);
    await closed;
  });
});
