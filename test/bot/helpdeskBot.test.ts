import { MemoryStorage, TestAdapter, type Activity, type Storage, type StoreItems, type TurnContext } from 'botbuilder';
import { Writable } from 'node:stream';
import pino from 'pino';
import { RemoveRecipientMention } from '../../src/bot/mentions';
import { HelpdeskBot } from '../../src/bot/helpdeskBot';
import { TRACE_NAME } from '../../src/bot/activities';
import { turnErrorHandler } from '../../src/bot/endpoint';
import { createTranslator } from '../../src/content/i18n';
import { StateUnavailableError } from '../../src/state/stateStore';
import { accountService, engine, content, english } from '../support/helpers';
import type { AccountService, CallOptions } from '../../src/accountService/accountService';

/** A logger that keeps every line, to check what reaches the logs. */
function recordingLogger() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

/** Runs the real bot behind botbuilder's TestAdapter, with traces kept, one conversation per instance. */
class Conversation {
  readonly adapter: TestAdapter;
  readonly bot: HelpdeskBot;

  constructor(
    readonly storage: Storage = new MemoryStorage(),
    readonly options: {
      channelId?: string;
      conversationId?: string;
      userId?: string;
      locale?: string;
      logger?: pino.Logger;
      service?: AccountService;
      onTurn?: () => void;
    } = {},
  ) {
    const bot = engine(options.service ? { service: options.service } : {});
    const runtime = { content: content(), i18n: createTranslator(content()), engine: bot };
    this.bot = new HelpdeskBot({
      runtime: () => runtime,
      storage,
      logger: options.logger ?? recordingLogger().logger,
      ...(options.onTurn ? { onTurn: options.onTurn } : {}),
    });
    this.adapter = new TestAdapter(async (context) => this.bot.run(context), undefined, true);
    // As the endpoint's adapters do: the bot reads messages without its own @mention.
    this.adapter.use(new RemoveRecipientMention());
    this.adapter.conversation.channelId = options.channelId ?? 'emulator';
    this.adapter.conversation.conversation.id = options.conversationId ?? 'conversation-1';
    this.adapter.conversation.user = { id: options.userId ?? 'user-1', name: 'Candidate' };
    this.adapter.locale = options.locale ?? 'en-GB';
  }

  async send(activity: Partial<Activity>): Promise<Partial<Activity>[]> {
    this.adapter.activeQueue.splice(0);
    await this.adapter.processActivity({ type: 'message', locale: this.adapter.locale, ...activity });
    return this.adapter.activeQueue.splice(0);
  }

  async say(text: string) {
    return this.send({ text });
  }

  async join() {
    return this.send({
      type: 'conversationUpdate',
      membersAdded: [{ id: this.options.userId ?? 'user-1', name: 'Candidate' }],
    });
  }
}

const trace = (replies: Partial<Activity>[]) => replies.at(-1)!;
const message = (replies: Partial<Activity>[]) => replies.find((reply) => reply.type === 'message')!;

describe('the bot on the Bot Framework', () => {
  it('welcomes a user who joins, with the menu as suggested actions and the state trace last', async () => {
    const chat = new Conversation(undefined, { locale: 'fr-FR' });
    const replies = await chat.join();
    expect(replies.map((reply) => reply.type)).toEqual(['message', 'trace']);
    expect(message(replies).text).toContain('Bonjour !');
    expect(message(replies).suggestedActions!.actions[0]).toEqual({
      type: 'imBack',
      title: 'Mes identifiants ne fonctionnent pas',
      value: 'Mes identifiants ne fonctionnent pas',
    });
    expect(trace(replies)).toMatchObject({
      type: 'trace',
      name: TRACE_NAME,
      value: { topic: 'menu', state: 'menu', locale: 'fr', expecting: null },
    });
  });

  it('answers as usual when what watches its turns fails', async () => {
    const { logger, lines } = recordingLogger();
    const chat = new Conversation(undefined, {
      logger,
      onTurn: () => {
        throw new Error('observer broke');
      },
    });
    const joined = await chat.join();
    const replies = await chat.say(english('menu.choice.forgotPassword'));
    expect(trace(joined).name).toBe('helpdesk.state');
    expect(trace(replies).value).toMatchObject({ topic: 'forgotPassword' });
    expect(replies.filter((reply) => reply.type === 'message')).toHaveLength(1);
    expect(lines.some((line) => line.includes('turn observer failed'))).toBe(true);
  });

  it('says nothing when only the bot joins', async () => {
    const chat = new Conversation();
    expect(await chat.send({ type: 'conversationUpdate', membersAdded: [{ id: 'bot', name: 'Bot' }] })).toEqual([]);
  });

  it('walks a topic by clicking, ending every turn with the trace', async () => {
    const chat = new Conversation(undefined, { locale: 'es-ES' });
    await chat.join();
    let replies = await chat.say('He olvidado mi contraseña');
    expect(message(replies).text).toContain('Forgotten your password?');
    expect(trace(replies).value).toEqual({
      topic: 'forgotPassword',
      state: 'forgotPassword',
      locale: 'es',
      expecting: null,
    });
    replies = await chat.say('Envíeme el correo');
    expect(message(replies).inputHint).toBe('expectingInput');
    expect(trace(replies).value).toMatchObject({ state: 'passwordReset.idNumber', expecting: 'idNumber' });
    replies = await chat.say('ABC123456');
    expect(message(replies).text).toContain('Hecho.');
    expect(trace(replies).value).toMatchObject({ state: 'passwordResetSent', expecting: null });
  });

  it('remembers the language a user chose, in their next conversation too', async () => {
    const storage = new MemoryStorage();
    const first = new Conversation(storage, { conversationId: 'first', userId: 'same-user' });
    await first.join();
    await first.say('Deutsch');
    const second = new Conversation(storage, { conversationId: 'second', userId: 'same-user', locale: 'en-US' });
    const replies = await second.join();
    expect(message(replies).text).toContain('Hallo!');
    expect(trace(replies).value).toMatchObject({ locale: 'de' });
  });

  it('in Teams, puts the buttons on a card and ignores the @mention in the text', async () => {
    const chat = new Conversation(undefined, { channelId: 'msteams' });
    await chat.join();
    const replies = await chat.send({
      text: '<at>Helpdesk</at> 2',
      entities: [{ type: 'mention', text: '<at>Helpdesk</at>', mentioned: { id: 'bot', name: 'Helpdesk' } }],
    });
    const reply = message(replies);
    expect(reply.suggestedActions).toBeUndefined();
    expect(reply.attachments![0]!.contentType).toBe('application/vnd.microsoft.card.adaptive');
    const card = reply.attachments![0]!.content as { body: Array<{ type: string; actions?: unknown[] }> };
    expect(card.body.find((element) => element.type === 'ActionSet')!.actions![0]).toEqual({
      type: 'Action.Submit',
      title: 'Check if my account is locked',
      data: { msteams: { type: 'imBack', value: 'Check if my account is locked' } },
    });
    expect(trace(replies).value).toMatchObject({ topic: 'lockout' });
  });

  it('apologises in the user language when a turn fails, and keeps the conversation where it was', async () => {
    let failWrites = false;
    class FlakyStorage extends MemoryStorage {
      override async write(changes: StoreItems) {
        if (failWrites) throw new Error('storage unavailable');
        return super.write(changes);
      }
    }
    const chat = new Conversation(new FlakyStorage(), { locale: 'it-IT' });
    const { logger, lines } = recordingLogger();
    chat.adapter.onTurnError = turnErrorHandler(() => createTranslator(content()), logger);
    await chat.join();
    await chat.say('2');
    failWrites = true;
    const failed = await chat.say('1');
    expect(lines.filter((line) => line.includes('turn failed'))).toHaveLength(1);
    expect(failed.at(-1)!.text).toBe(
      'Mi dispiace, qualcosa non ha funzionato da parte mia. Rimanda il messaggio tra un attimo.',
    );
    failWrites = false;
    const replies = await chat.say('opzioni');
    expect(trace(replies).value).toMatchObject({ state: 'lockout' });
  });

  it("apologises in the user's language, not the channel's, when a turn fails or state is out of reach", async () => {
    let failWrites: Error | undefined;
    class FlakyStorage extends MemoryStorage {
      override async write(changes: StoreItems) {
        if (failWrites) throw failWrites;
        return super.write(changes);
      }
    }
    const chat = new Conversation(new FlakyStorage(), { locale: 'en-GB' });
    const i18n = createTranslator(content());
    const saved = (context: TurnContext) => chat.bot.savedLanguage(context);
    chat.adapter.onTurnError = turnErrorHandler(() => i18n, recordingLogger().logger, saved);
    await chat.join();
    await chat.say(i18n.getFixedT('de', 'common')('language.name'));
    const german = i18n.getFixedT('de', 'common');
    failWrites = new Error('storage failed');
    expect((await chat.say('1')).at(-1)!.text).toBe(german('turnError'));
    failWrites = new StateUnavailableError('storage unreachable');
    expect((await chat.say('1')).at(-1)!.text).toBe(german('unavailable', { links: content().dialog.links }));
  });

  it("tells the account service a lock check's conversation, whatever the channel's activity ids", async () => {
    const accounts = accountService();
    const calls: Array<Partial<CallOptions> | undefined> = [];
    const service: AccountService = {
      checkLockStatus: (query, options) => (calls.push(options), accounts.checkLockStatus(query, options)),
      requestPasswordReset: (request, options) => accounts.requestPasswordReset(request, options),
      createHelpdeskRequest: (request, options) => accounts.createHelpdeskRequest(request, options),
    };
    const chat = new Conversation(undefined, { conversationId: 'conversation-7', service });
    await chat.join();
    await chat.say('2');
    await chat.say('1');
    await chat.send({ text: 'SIR094701', id: 'conversation-7|0000004' });
    await chat.send({ text: '8482', id: 'conversation-7|0000005' });
    expect(calls.map((options) => options?.conversationId)).toEqual(['conversation-7']);
  });

  it('never writes ID numbers, secret numbers or typed text to the log', async () => {
    const { logger, lines } = recordingLogger();
    const chat = new Conversation(undefined, { logger });
    await chat.join();
    await chat.say('6');
    await chat.say('1');
    for (const answer of ['Zebedee Quux', 'B2 First', '14/06/2025', 'Centro Canary', 'CAN987654', '7319'])
      await chat.say(answer);
    await chat.say('Yes, send it');
    const log = lines.join('\n');
    expect(lines.length).toBeGreaterThan(8);
    for (const secret of ['CAN987654', '7319', 'Zebedee', 'Canary']) expect(log).not.toContain(secret);
    expect(log).toContain('"topic":"centreClosed"');
  });

  it('answers a stale card button with a notice and the current step', async () => {
    const chat = new Conversation();
    await chat.join();
    await chat.say('2');
    const replies = await chat.send({ value: { choice: 'passwordReset', state: 'forgotPassword' } });
    expect(message(replies).text).toBe(`${english('common:staleButton')}\n\n${english('lockout.prompt')}`);
    expect(trace(replies).value).toMatchObject({ state: 'lockout' });
  });
});
