import type { Activity } from 'botbuilder';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../src/config';
import { startBot, type RunningBot } from '../../src/index';
import { createLogger } from '../../src/logger';
import { createTranslator } from '../../src/content/i18n';
import { content } from '../support/helpers';

/**
 * The Bot Framework Emulator's side of a conversation: it posts activities to /api/messages with no
 * credentials and its own serviceUrl, and receives the bot's replies on its Bot Connector routes.
 */
class EmulatorConnector {
  received: Array<{ path: string; authorization?: string; activity: Partial<Activity> }> = [];
  private waiting: Array<() => void> = [];
  private constructor(private readonly server: Server) {}

  static async start(): Promise<EmulatorConnector> {
    const connector = new EmulatorConnector(createServer());
    connector.server.on('request', async (req, res) => {
      let body = '';
      for await (const chunk of req) body += chunk;
      connector.received.push({
        path: req.url ?? '',
        authorization: req.headers.authorization,
        activity: JSON.parse(body),
      });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: `reply-${connector.received.length}` }));
      for (const wake of connector.waiting.splice(0)) wake();
    });
    await new Promise<void>((resolve) => connector.server.listen(0, '127.0.0.1', resolve));
    return connector;
  }

  get serviceUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }

  async until(count: number, ms = 10_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (this.received.length < count) {
      if (Date.now() > deadline) {
        throw new Error(`the emulator received ${this.received.length} activities, not ${count}, within ${ms} ms`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 100);
        this.waiting.push(() => (clearTimeout(timer), resolve()));
      });
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

describe('the bot with the Bot Framework Emulator', () => {
  let bot: RunningBot;
  let emulator: EmulatorConnector;
  beforeAll(async () => {
    emulator = await EmulatorConnector.start();
    bot = await startBot(loadConfig({ PORT: '0', HOST: '127.0.0.1' }), createLogger('silent'));
  });
  afterAll(async () => {
    await bot.close();
    await emulator.close();
  });

  const fromEmulator = (fields: Record<string, unknown>) =>
    fetch(`${bot.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        channelId: 'emulator',
        serviceUrl: emulator.serviceUrl,
        conversation: { id: 'emulator-conversation-1' },
        from: { id: 'emulator-user', name: 'User', role: 'user' },
        recipient: { id: 'emulator-bot', name: 'Bot', role: 'bot' },
        locale: 'fr-FR',
        ...fields,
      }),
    });

  it('greets, answers, and shows the dialog state as a trace, with no credentials', async () => {
    const opened = await fromEmulator({
      type: 'conversationUpdate',
      id: 'e-1',
      membersAdded: [{ id: 'emulator-bot' }, { id: 'emulator-user' }],
    });
    expect(opened.status).toBe(200);
    await emulator.until(2);
    const [welcome, trace] = emulator.received;
    expect(welcome!.path).toBe('/v3/conversations/emulator-conversation-1/activities/e-1');
    expect(welcome!.authorization).toBeUndefined();
    expect(welcome!.activity.text).toContain(french('common:welcome'));
    expect(welcome!.activity.suggestedActions!.actions.length).toBeGreaterThanOrEqual(6);
    expect(trace!.activity).toMatchObject({
      type: 'trace',
      name: 'helpdesk.state',
      label: 'Helpdesk dialog state',
      value: { topic: 'menu', locale: 'fr', expecting: null },
    });

    await fromEmulator({ type: 'message', id: 'e-2', text: "J'ai oublié mon mot de passe" });
    await emulator.until(4);
    expect(emulator.received[3]!.activity.value).toMatchObject({
      topic: 'forgotPassword',
      state: 'forgotPassword',
      locale: 'fr',
    });
    expect(emulator.received[2]!.activity.text).toContain(french('forgotPassword.spam'));
  });
});

const french = (key: string) => createTranslator(content()).getFixedT('fr')(key, { links: content().dialog.links });
