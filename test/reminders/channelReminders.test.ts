import type { Activity as BotActivity } from 'botbuilder';
import { once } from 'node:events';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Server } from 'restify';
import { createBotEndpoint } from '../../src/bot/endpoint';
import { createMemoryStorage } from '../../src/bot/storage';
import { buildRuntime } from '../../src/conversation/runtime';
import { createLogger } from '../../src/logger';
import { MemoryReminderStore, Reminders } from '../../src/reminders/reminders';
import { createServer } from '../../src/server/server';
import { accountService, content, english, NOW } from '../support/helpers';

type Activity = Partial<BotActivity>;

/** A channel's Bot Connector (as the Emulator runs one): it receives what the bot sends into the conversation. */
class Connector {
  readonly received: Activity[] = [];
  private readonly waiting: Array<() => void> = [];
  constructor(readonly server: HttpServer) {
    server.on('request', async (req, res) => {
      let body = '';
      for await (const chunk of req) body += chunk;
      this.received.push(JSON.parse(body) as Activity);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: `sent-${this.received.length}` }));
      for (const wake of this.waiting.splice(0)) wake();
    });
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }

  /** The first activity received that passes `test`, failing after `ms` with what did arrive. */
  async waitFor(test: (activity: Activity) => boolean, ms = 10_000): Promise<Activity> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.received.find(test);
      if (found) return found;
      if (Date.now() > deadline) {
        const received = this.received.map((activity) => activity.text ?? activity.type);
        throw new Error(`nothing of that kind within ${ms} ms; received ${JSON.stringify(received)}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 100);
        this.waiting.push(() => (clearTimeout(timer), resolve()));
      });
    }
  }
}

describe('a reminder in a conversation of a channel (the Emulator here, Teams alike)', () => {
  const logger = createLogger('silent');
  // The dialog's clock is fixed before the demo lock ends; the reminder, due at the lock's end, is due at once.
  const runtime = buildRuntime(content(), accountService(), { now: () => NOW });
  const reminders = new Reminders(new MemoryReminderStore(), logger, 50);
  const endpoint = createBotEndpoint({
    auth: { appType: 'MultiTenant' },
    runtime: () => runtime,
    storage: createMemoryStorage(),
    logger,
    reminders,
  });
  let server: Server;
  let connector: Connector;
  let botUrl: string;
  beforeAll(async () => {
    connector = new Connector(createHttpServer().listen(0, '127.0.0.1'));
    await once(connector.server, 'listening');
    server = createServer({ bot: endpoint, logger }).server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    botUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await reminders.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    connector.server.closeAllConnections();
    await new Promise<void>((resolve) => connector.server.close(() => resolve()));
  });

  let counter = 0;
  /** Posts like the Emulator (replies go to the connector, not into the response) and returns this turn's trace. */
  async function post(fields: Activity): Promise<{ state: string; expecting: string | null }> {
    const id = `emulator-${++counter}`;
    const response = await fetch(`${botUrl}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'message',
        id,
        locale: 'en-GB',
        channelId: 'emulator',
        serviceUrl: connector.url,
        conversation: { id: 'reminded' },
        from: { id: 'candidate' },
        recipient: { id: 'bot' },
        ...fields,
      }),
    });
    expect(response.status).toBe(200);
    const trace = await connector.waitFor((activity) => activity.type === 'trace' && activity.replyToId === id);
    return trace.value;
  }

  /** The titles of every button of a Teams card, in order (those under "More" included). */
  function cardButtons(activity: Activity | undefined): string[] {
    const titles: string[] = [];
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === 'object') {
        const element = node as Record<string, unknown>;
        if (element.type === 'Action.Submit' && typeof element.title === 'string') titles.push(element.title);
        Object.values(element).forEach(walk);
      }
    };
    walk(activity?.attachments?.map((attachment) => attachment.content));
    return titles;
  }

  it("comes in Teams on a card with the main menu's buttons, as the menu's card has them", async () => {
    // Teams drops trace activities: each turn is awaited by its reply, and a card button sends its title.
    const say = async (text: string) => {
      const id = `teams-${++counter}`;
      await fetch(`${botUrl}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          type: 'message',
          id,
          text,
          locale: 'en-GB',
          channelId: 'msteams',
          serviceUrl: connector.url,
          conversation: { id: 'reminded-in-teams', conversationType: 'personal' },
          from: { id: 'candidate' },
          recipient: { id: 'bot' },
        }),
      });
      return connector.waitFor((activity) => activity.type === 'message' && activity.replyToId === id);
    };
    const menu = await say('hi');
    await say(english('menu.choice.lockout'));
    await say(english('lockout.choice.check'));
    await say('SIR094701');
    const locked = await say('8482');
    expect(JSON.stringify(locked.attachments)).toContain(english('lockoutLocked.choice.forgotPassword'));
    const inTeams = (activity: Activity) => activity.conversation?.id === 'reminded-in-teams';
    const words = english('lockoutLocked.reminder', { context: 'inMinutes' }).split('(')[0]!.trim();
    const reminder = await connector.waitFor(
      (activity) => inTeams(activity) && JSON.stringify(activity.attachments ?? []).includes(words),
    );
    expect(cardButtons(menu).length).toBeGreaterThan(0);
    expect(cardButtons(reminder)).toEqual(cardButtons(menu));
    // The text is on the card only, as on every Teams card the bot sends.
    expect(reminder.text).toBeUndefined();
  });

  it('is sent through the channel when the lock ends', async () => {
    let trace = await post({ text: 'hi' });
    trace = await post({ value: { choice: 'lockout', state: trace.state } });
    trace = await post({ value: { choice: 'lockoutCheck', state: trace.state } });
    expect(trace.expecting).toBe('idNumber');
    trace = await post({ text: 'SIR094701' });
    expect(trace.expecting).toBe('secretNumber');
    trace = await post({ text: '8482' });
    expect(trace.state).toBe('lockoutLocked');

    // The channel tells no time zone: the reminder without a clock time, as the content has it.
    const words = english('lockoutLocked.reminder', { context: 'inMinutes' }).split('(')[0]!.trim();
    const reminder = await connector.waitFor(
      (activity) =>
        activity.type === 'message' &&
        activity.conversation?.id === 'reminded' &&
        String(activity.text).includes(words),
    );
    // With the main menu's buttons, as the menu's reply in this channel has them.
    const welcome = connector.received.find((activity) => String(activity.text).includes(english('common:welcome')));
    const titles = (activity: Activity | undefined) => activity?.suggestedActions?.actions.map((a) => a.title);
    expect(titles(welcome)?.length).toBeGreaterThan(0);
    expect(titles(reminder)).toEqual(titles(welcome));
  });
});
