import { MemoryStorage, type Activity, type StoreItems } from 'botbuilder';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { startBot, type RunningBot } from '../../src/index';
import { createLogger } from '../../src/logger';
import { content, ROOT } from '../support/helpers';
import { activity, postToBot as post } from '../support/activities';
import { DEMO_LOCK_MINUTES, expectMinutesLeft, readLockMessage } from '../support/lockMessage';

const quiet = createLogger('silent');

/** The bot's replies to one message, posted with expectReplies. */
async function turn(url: string, conversation: string, fields: Record<string, unknown>) {
  const { status, json } = await post(url, activity(conversation, fields));
  expect(status).toBe(200);
  const activities = (json as { activities: Array<Partial<Activity>> }).activities;
  return {
    activities,
    text: activities.find((a) => a.type === 'message')?.text as string,
    trace: activities.at(-1)!.value,
  };
}

function expectNoInternals(text: string) {
  expect(text).not.toMatch(/\bat \S+ \(|Error:|node_modules|\.ts:\d+/);
}

describe('the bot over real HTTP', () => {
  let bot: RunningBot;
  let failing: RunningBot;
  let storageDown = false;
  let started: number;
  class FlakyStorage extends MemoryStorage {
    override async write(changes: StoreItems) {
      if (storageDown) throw new Error('storage unavailable');
      return super.write(changes);
    }
  }
  beforeAll(async () => {
    started = Date.now();
    bot = await startBot(loadConfig({ PORT: '0', HOST: '127.0.0.1' }), quiet);
    failing = await startBot(loadConfig({ PORT: '0', HOST: '127.0.0.1' }), quiet, { storage: new FlakyStorage() });
  });
  afterAll(async () => {
    await bot.close();
    await failing.close();
  });

  it('answers the health check', async () => {
    const response = await fetch(`${bot.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('holds a whole conversation with expectReplies, replies and trace in the body', async () => {
    // Web Chat says it joined, in the page's language.
    let reply = await turn(bot.url, 'http-1', {
      type: 'event',
      name: 'webchat/join',
      value: { language: 'de' },
      locale: 'de-DE',
    });
    expect(reply.text).toContain('Hallo!');
    expect(reply.activities.map((a) => a.type)).toEqual(['message', 'trace']);
    reply = await turn(bot.url, 'http-1', { text: 'Mein Konto ist gesperrt', locale: 'de-DE' });
    expect(reply.trace).toEqual({ topic: 'lockout', state: 'lockout', locale: 'de', expecting: null });
    reply = await turn(bot.url, 'http-1', {
      text: 'Prüfen, ob mein Konto gesperrt ist',
      locale: 'de-DE',
      localTimezone: 'Europe/Berlin',
    });
    expect(reply.trace.expecting).toBe('idNumber');
    await turn(bot.url, 'http-1', { text: 'SIR094701', locale: 'de-DE', localTimezone: 'Europe/Berlin' });
    reply = await turn(bot.url, 'http-1', { text: '8482', locale: 'de-DE', localTimezone: 'Europe/Berlin' });
    // The demo account is locked for a set time from start-up, told in the candidate's language and time zone.
    const { lockedUntil, minutes } = readLockMessage(reply.text, 'de');
    expect(lockedUntil).toMatch(/^\d\d:\d\d (MEZ|MESZ)$/);
    expectMinutesLeft(minutes, DEMO_LOCK_MINUTES, started);
    expect(reply.trace).toMatchObject({ state: 'lockoutLocked', locale: 'de' });
  });

  it('reaches every topic of the menu by clicking, in every language', async () => {
    // The menu as the content has it: each button's step and that step's topic, in the content's order.
    const { dialog } = content();
    const menu = dialog.nodes[dialog.start] as { choices: Array<{ goto: string }> };
    const topics = menu.choices.map((choice) => dialog.nodes[choice.goto]!.topic);
    for (const locale of ['en-GB', 'es-ES', 'it-IT', 'fr-FR', 'de-DE']) {
      for (const [index, topic] of topics.entries()) {
        const conversation = `topics-${locale}-${topic}`;
        const welcome = await turn(bot.url, conversation, { text: 'hello', locale });
        const title = welcome.activities[0]!.suggestedActions!.actions[index].title as string;
        const reply = await turn(bot.url, conversation, { text: title, locale });
        expect(reply.trace).toMatchObject({ topic, locale: locale.slice(0, 2) });
      }
    }
  });

  it('rejects a malformed body with 400 and a plain reason', async () => {
    const broken = await post(bot.url, '{"type": "message", ');
    expect(broken).toMatchObject({ status: 400, json: { error: 'invalid_json' } });
    const notActivity = await post(bot.url, { hello: 'world' });
    expect(notActivity.status).toBe(400);
    expect(notActivity.json).toEqual({
      error: 'invalid_activity',
      message: 'The body must be a Bot Framework activity: "type" is missing.',
    });
    const noConversation = await post(bot.url, { ...activity('x', {}), conversation: undefined });
    expect(noConversation.json!.message).toContain('"conversation"');
    const array = await post(bot.url, [1, 2, 3]);
    expect(array.status).toBe(400);
    for (const response of [broken, notActivity, noConversation, array]) expectNoInternals(response.text);
  });

  it('rejects other content types and oversized bodies', async () => {
    const plain = await fetch(`${bot.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'hi',
    });
    expect(plain.status).toBe(415);
    const huge = await post(bot.url, activity('big', { text: 'x'.repeat(300 * 1024) }));
    expect(huge).toMatchObject({ status: 413, json: { error: 'payload_too_large' } });
  });

  it('answers a text longer than it reads, within the limit, with a polite localized reply', async () => {
    await turn(bot.url, 'long', { text: 'hi', locale: 'es-ES' });
    const reply = await turn(bot.url, 'long', { text: 'x'.repeat(3000), locale: 'es-ES' });
    expect(reply.text).toContain('Ese mensaje es demasiado largo para mí.');
  });

  it('apologises in the body, with no internals, when a turn fails', async () => {
    await turn(failing.url, 'storage-down', { text: 'hello', locale: 'fr-FR' });
    storageDown = true;
    const response = await post(failing.url, activity('storage-down', { text: '2', locale: 'fr-FR' }));
    storageDown = false;
    expect(response.status).toBe(200);
    const texts = (response.json as { activities: Array<{ text?: string }> }).activities.map((a) => a.text);
    expect(texts).toContain(
      "Désolé, un problème est survenu de mon côté. Renvoyez votre message dans un instant, s'il vous plaît.",
    );
    expectNoInternals(response.text);
    const after = await turn(failing.url, 'storage-down', { text: '2', locale: 'fr-FR' });
    expect(after.trace).toMatchObject({ topic: 'lockout' });
  });
});

describe('with Bot Framework credentials configured', () => {
  let bot: RunningBot;
  beforeAll(async () => {
    bot = await startBot(
      loadConfig({
        PORT: '0',
        HOST: '127.0.0.1',
        MicrosoftAppId: '00000000-0000-0000-0000-000000000001',
        MicrosoftAppPassword: 'not-a-real-secret',
      }),
      quiet,
    );
  });
  afterAll(async () => bot.close());

  it('refuses an activity without a token with 401 and no internals', async () => {
    const response = await post(bot.url, activity('anonymous', { text: 'hi' }));
    expect(response.status).toBe(401);
    expectNoInternals(response.text);
  });

  it('refuses a forged token', async () => {
    const response = await post(bot.url, activity('forged', { text: 'hi' }), {
      authorization: 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.',
    });
    expect(response.status).toBe(401);
    expectNoInternals(response.text);
  });
});

describe('the process as npm start runs it', () => {
  let child: ChildProcess | undefined;
  afterEach(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });

  function launch(env: Record<string, string>) {
    child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src', 'index.ts')], {
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (output += chunk));
    return { child, output: () => output };
  }

  it('starts with the embedded defaults, logs a redacted configuration, serves a turn, stops on SIGTERM', async () => {
    const running = launch({ MicrosoftAppPassword: '' });
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not listening: ${running.output()}`)), 15000);
      running.child.stdout!.on('data', () => {
        const match = /"url":"(http:\/\/[^"]+)\/api\/messages"/.exec(running.output());
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
    });
    const reply = await turn(url, 'process', { text: 'hello', locale: 'it-IT' });
    expect(reply.text).toContain('Ciao!');
    expect(running.output()).toContain('"MicrosoftAppId":"not set: anonymous local use"');
    running.child.kill('SIGTERM');
    const [code] = await once(running.child, 'exit');
    expect(code).toBe(0);
  });

  it('refuses to start on broken configuration, naming the variable', async () => {
    const running = launch({ PORT: 'eighty' });
    const [code] = await once(running.child, 'exit');
    expect(code).toBe(1);
    expect(running.output()).toContain('Cannot start the helpdesk bot.');
    expect(running.output()).toContain('PORT:');
  });
});
