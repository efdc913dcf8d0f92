import { randomInt } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { isFormNode } from '../../src/content/dialogSchema';
import { interpret } from '../../src/conversation/understand';
import type { RunningBot } from '../../src/index';
import { languageModelOf } from '../../src/nlu/fromContent';
import { newToken, startAccountService, type RunningAccountService } from '../../src/referenceService/app';
import { createLogger } from '../../src/logger';
import type { RedisClient } from '../../src/state/redisConnection';
import { Contract } from '../support/contract';
import { content, english as englishText, ROOT } from '../support/helpers';
import { HttpConversation } from '../support/httpConversation';
import { everything, RedisServer } from '../support/redisServer';
import { startStudioBot, StudioClient, studioDataDir, studioRedis } from '../support/studioClient';
import { tempFolder } from '../support/tempFolders';

// Publishing runs every conversation script in five languages: it takes long on a busy machine.
jest.setTimeout(120_000);

// Canaries: values that appear nowhere else, so any copy of them kept by insights is a leak.
const CANARY_SECRET = String(randomInt(3000, 9999));
const CANARY_ID = `CAN${randomInt(100000, 999999)}`;
const CANARY_NAME = `Zora Canaryfield${String.fromCharCode(97 + randomInt(0, 26))}`;
const CANARY_EMAIL = `canary${randomInt(1000, 9999)}@example.org`;
const CANARIES = [CANARY_SECRET, CANARY_ID, CANARY_NAME, CANARY_EMAIL];
const ABANDON_SECONDS = 6;

/** The first example of a topic in a language's understanding file. */
function example(language: string, topic: string): string {
  const file = parse(readFileSync(path.join(ROOT, 'dialogs', 'understanding', `${language}.yaml`), 'utf8')) as {
    topics: Record<string, string[]>;
  };
  return file.topics[topic]![0]!;
}

/** A message the model asks "did you mean" about: two topics' examples side by side, found in the content. */
function clarifyingMessage(language: string): string {
  const model = languageModelOf(content());
  const file = parse(readFileSync(path.join(ROOT, 'dialogs', 'understanding', `${language}.yaml`), 'utf8')) as {
    topics: Record<string, string[]>;
  };
  const topics = Object.keys(file.topics);
  for (const first of topics)
    for (const second of topics)
      for (const a of file.topics[first]!.slice(0, 5))
        for (const b of file.topics[second]!.slice(0, 5))
          if (first !== second && interpret(model, `${a} ${b}`).kind === 'clarify') return `${a} ${b}`;
  throw new Error('no message in the content makes the model ask');
}

const NOT_UNDERSTOOD = 'wibble plonk quaxxle';

function today(offset = 0): string {
  return new Date(Date.now() + offset * 24 * 3600 * 1000).toISOString().slice(0, 10);
}

describe('insights: two instances sharing Redis count scripted conversations exactly', () => {
  let redisServer: RedisServer;
  let redis: RedisClient;
  let accounts: RunningAccountService;
  let first: RunningBot;
  let second: RunningBot;
  let lead: StudioClient;
  const answers: string[] = [];

  beforeAll(async () => {
    ({ server: redisServer, redis } = await studioRedis());
    // The account service keeps the requests it is sent (that is its job): it runs on its own, outside this Redis.
    const folder = tempFolder('insights-accounts-');
    const accountsFile = path.join(folder, 'accounts.json');
    writeFileSync(
      accountsFile,
      // The demo accounts too: the studio's publish runs the conversation tests against this file.
      JSON.stringify([
        ...(JSON.parse(readFileSync(path.join(ROOT, 'demo', 'accounts.json'), 'utf8')) as object[]),
        { idNumber: CANARY_ID, secretNumber: CANARY_SECRET, email: CANARY_EMAIL, password: 'x', lockedForMinutes: 25 },
      ]),
    );
    accounts = await startAccountService(
      { port: 0, host: '127.0.0.1', token: newToken(), accountsFile },
      createLogger('silent'),
    );
    const env = {
      REDIS_URL: redisServer.url,
      ACCOUNT_SERVICE_URL: accounts.url,
      ACCOUNT_SERVICE_TOKEN: accounts.token,
      ACCOUNTS_FILE: accountsFile,
      INSIGHTS_ABANDON_SECONDS: String(ABANDON_SECONDS),
    };
    first = await startStudioBot(env);
    second = await startStudioBot(env);
    lead = await new StudioClient(first.url).as('publisher');
  });
  afterAll(async () => {
    await first?.close();
    await second?.close();
    await accounts?.close();
    redis?.disconnect();
    await redisServer?.stop();
  });

  async function report(client: StudioClient) {
    const response = await client.call('GET', `/studio/api/insights?from=${today(-1)}&to=${today(1)}`);
    answers.push(await response.clone().text());
    expect(response.status).toBe(200);
    return (await response.json()) as Record<string, unknown> & {
      outcomes: Record<string, number>;
      stops: Array<{ step: string; count: number }>;
    };
  }

  it('counts every field, the abandoned once after the timeout, and keeps no canary', async () => {
    const { dialog } = content();
    const solved = 'solved';
    expect(dialog.nodes[solved]).toBeDefined();
    const lockoutCheck = dialog.nodes.lockoutCheck!;
    expect(isFormNode(lockoutCheck) && lockoutCheck.action).toBe('checkLockStatus');

    // A: English, the page: checks the lock (locked), then it is solved. Ends in a final step.
    const a = new HttpConversation(first.url, 'insights-a', { locale: 'en-GB' });
    await a.send({ type: 'event', name: 'webchat/join', value: { language: 'en' } });
    await a.choose('lockout');
    await a.choose('lockoutCheck');
    await a.answer('idNumber', CANARY_ID);
    const locked = await a.answer('secretNumber', CANARY_SECRET);
    expect(locked.trace?.state).toBe('lockoutLocked');
    await a.choose('solved');

    // B: Spanish, turns alternating between the instances: the closed centre's request, filed. Final.
    const bOnFirst = new HttpConversation(first.url, 'insights-b', { locale: 'es-ES' });
    const bOnSecond = new HttpConversation(second.url, 'insights-b', { locale: 'es-ES' });
    await bOnSecond.send({ type: 'event', name: 'webchat/join', value: { language: 'es' } });
    bOnFirst.last = bOnSecond.last;
    await bOnFirst.choose('centreClosed');
    bOnSecond.last = bOnFirst.last;
    await bOnSecond.choose('helpdeskRequest');
    const form = dialog.nodes.helpdeskRequest!;
    if (!isFormNode(form)) throw new Error('helpdeskRequest is a form');
    const given: Record<string, string> = {
      fullName: CANARY_NAME,
      exam: 'B2 First',
      examDate: '14/06/2025',
      centreName: 'Centro Canario',
      email: CANARY_EMAIL,
      idNumber: CANARY_ID,
      secretNumber: CANARY_SECRET,
    };
    let chat = bOnSecond;
    for (const question of form.ask) {
      chat = chat === bOnFirst ? bOnSecond : bOnFirst;
      chat.last = (chat === bOnFirst ? bOnSecond : bOnFirst).last;
      await chat.answer(question.slot, given[question.slot]!);
    }
    await chat.choose('send', 'helpdeskRequestSent');

    // C: German, on the second: a message not understood, one with an address and numbers, then a person.
    const c = new HttpConversation(second.url, 'insights-c', { locale: 'de-DE' });
    await c.send({ type: 'event', name: 'webchat/join', value: { language: 'de' } });
    expect((await c.say(NOT_UNDERSTOOD)).trace?.state).toBe('menu');
    await c.say(`${NOT_UNDERSTOOD} ${CANARY_EMAIL} ${CANARY_SECRET} https://example.org/${CANARY_ID}`);
    const person = await c.say(example('de', 'person'));
    expect(person.trace?.state).toBe(dialog.handover);

    // D: French: a reset e-mail requested, then silence after it is sent.
    const d = new HttpConversation(first.url, 'insights-d', { locale: 'fr-FR' });
    await d.send({ type: 'event', name: 'webchat/join', value: { language: 'fr' } });
    await d.choose('forgotPassword');
    await d.choose('passwordReset');
    expect((await d.answer('idNumber', 'ABC123456')).trace?.state).toBe('passwordResetSent');

    // E: English on Teams-like channel "emulator": an off-topic question, then a message the model asks about.
    const e = new HttpConversation(second.url, 'insights-e', { locale: 'en-GB', channelId: 'emulator' });
    await e.say(example('en', 'offTopic'));
    const clarify = clarifyingMessage('en');
    await e.say(clarify);

    const stoppedAt = { [dialog.handover!]: 1, passwordResetSent: 1, [e.last!.trace!.state]: 1 };

    const expected = {
      conversations: 5,
      byLanguage: { en: 2, es: 1, de: 1, fr: 1 },
      byTopic: { lockout: 1, centreClosed: 1, forgotPassword: 1 },
      outcomes: {
        solved: 1,
        resetsRequested: 1,
        lockChecks: 1,
        helpdeskRequests: 1,
        handovers: 1,
        offTopic: 1,
        abandoned: 3,
      },
      // Clicks: A 3, B 3, D 2; typed: C's two misses and the person, E's off-topic question and the clarified one.
      understanding: { buttons: 8, understood: 2, clarified: 1, notUnderstood: 2 },
    };

    // Both instances sweep; the timeout passes; each silent conversation is counted once.
    const deadline = Date.now() + (ABANDON_SECONDS + 20) * 1000;
    let seen = await report(lead);
    while (seen.outcomes.abandoned < 3 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      seen = await report(lead);
    }
    // Another sweep period on both: nothing is counted twice.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const onSecond = new StudioClient(second.url);
    onSecond.cookie = lead.cookie;
    seen = await report(onSecond);
    expect({
      conversations: seen.conversations,
      byLanguage: seen.byLanguage,
      byTopic: seen.byTopic,
      outcomes: seen.outcomes,
      understanding: seen.understanding,
    }).toEqual(expected);
    expect(seen.byChannel).toEqual({ directline: 4, emulator: 1 });
    expect(seen.lockResults).toEqual({ locked: 1 });
    expect(seen.funnel).toEqual({
      lockout: { entered: 1, answered: 1, solved: 1, escalated: 0 },
      centreClosed: { entered: 1, answered: 1, solved: 0, escalated: 1 },
      forgotPassword: { entered: 1, answered: 1, solved: 0, escalated: 0 },
    });
    expect(Object.fromEntries(seen.stops.map((stop) => [stop.step, stop.count]))).toEqual(stoppedAt);

    // The inbox: the misses, scrubbed, grouped by folded text and language.
    const inbox = await lead.call('GET', '/studio/api/inbox');
    answers.push(await inbox.clone().text());
    const groups = (await inbox.json()) as Array<{ id: string; text: string; language: string; count: number }>;
    expect(groups.map(({ text, language, count }) => ({ text, language, count }))).toEqual(
      expect.arrayContaining([
        { text: NOT_UNDERSTOOD, language: 'de', count: 2 },
        {
          text: clarify
            .replace(/\S*\d\S*/g, ' ')
            .replace(/\s+/g, ' ')
            .trim(),
          language: 'en',
          count: 1,
        },
      ]),
    );
    expect(groups).toHaveLength(2);

    // No canary anywhere: Redis, every answer of the API.
    const stored = [...(await everything(redis)).values()].join('\n');
    for (const canary of CANARIES) {
      expect({ canary, inRedis: stored.includes(canary) }).toEqual({ canary, inRedis: false });
      expect({ canary, inAnswers: answers.some((answer) => answer.includes(canary)) }).toEqual({
        canary,
        inAnswers: false,
      });
    }
  });

  it('teach and mark as off-topic → publish → the same messages are understood; dismiss drops one', async () => {
    const { dialog } = content();
    const OFF_TOPIC_MISS = 'flibber jabberwock snoot';
    const DISMISSED = 'zorp florble quink';
    for (const [id, text, language] of [
      ['insights-miss-de', NOT_UNDERSTOOD, 'de'],
      ['insights-miss-en', OFF_TOPIC_MISS, 'en'],
      ['insights-miss-fr', DISMISSED, 'fr'],
    ] as const) {
      const missing = new HttpConversation(second.url, id, { locale: language });
      await missing.send({ type: 'event', name: 'webchat/join', value: { language } });
      expect((await missing.say(text)).trace?.state).toBe(dialog.start);
    }
    // Recording does not hold the turn up: the inbox has them a moment later.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const groups = (await (await lead.call('GET', '/studio/api/inbox')).json()) as Array<{
      id: string;
      text: string;
      language: string;
    }>;
    const find = (text: string) => groups.find((group) => group.text === text)!;
    const refused = await lead.call('POST', `/studio/api/inbox/${find(NOT_UNDERSTOOD).id}/teach`, { topic: 'nope' });
    expect(refused.status).toBe(422);
    const taught = await lead.call('POST', `/studio/api/inbox/${find(NOT_UNDERSTOOD).id}/teach`, {
      topic: 'lostEmail',
    });
    expect(taught.status).toBe(200);
    // "Mark as off-topic": a teach to the step the dialog names, as the page does it.
    const described = (await (await lead.call('GET', '/studio/api/dialog')).json()) as { offTopic: string };
    expect(described.offTopic).toBe(dialog.offTopic);
    const marked = await lead.call('POST', `/studio/api/inbox/${find(OFF_TOPIC_MISS).id}/teach`, {
      topic: described.offTopic,
    });
    expect(marked.status).toBe(200);
    const dismissed = find(DISMISSED).id;
    expect((await lead.call('POST', `/studio/api/inbox/${dismissed}/dismiss`)).status).toBe(204);
    expect((await lead.call('POST', `/studio/api/inbox/${dismissed}/dismiss`)).status).toBe(404);
    const left = (await (await lead.call('GET', '/studio/api/inbox')).json()) as Array<{ text: string }>;
    for (const text of [NOT_UNDERSTOOD, OFF_TOPIC_MISS, DISMISSED])
      expect(left.map((each) => each.text)).not.toContain(text);

    const published = await lead.call('POST', '/studio/api/publish', { message: 'Taught from the inbox' });
    expect({ status: published.status, body: await published.json() }).toEqual({
      status: 201,
      body: { version: expect.any(Number) },
    });
    const german = new HttpConversation(first.url, 'insights-taught-de', { locale: 'de-DE' });
    await german.send({ type: 'event', name: 'webchat/join', value: { language: 'de' } });
    expect((await german.say(NOT_UNDERSTOOD)).trace?.topic).toBe('lostEmail');
    const offTopic = dialog.nodes[dialog.offTopic!]!;
    if (isFormNode(offTopic)) throw new Error('the off-topic step is a message');
    const english = new HttpConversation(first.url, 'insights-taught-en', { locale: 'en-GB' });
    await english.send({ type: 'event', name: 'webchat/join', value: { language: 'en' } });
    const answered = await english.say(OFF_TOPIC_MISS);
    expect(answered.activities.map((each) => each.text ?? '').join('\n')).toContain(
      englishText(offTopic.say[0]!).slice(0, 30),
    );
  });
});

describe('insights without Redis: the studio data folder', () => {
  let bot: RunningBot;
  afterAll(async () => {
    await bot?.close();
  });

  it('counts a conversation and keeps the inbox in the data folder, with no canary', async () => {
    const dataDir = await studioDataDir();
    bot = await startStudioBot({ STUDIO_DATA_DIR: dataDir });
    const chat = new HttpConversation(bot.url, 'file-insights', { locale: 'en-GB' });
    await chat.send({ type: 'event', name: 'webchat/join', value: { language: 'en' } });
    await chat.say(`${NOT_UNDERSTOOD} ${CANARY_EMAIL} ${CANARY_ID}`);
    await chat.choose('centreClosed');
    await chat.choose('helpdeskRequest');
    await chat.answer('fullName', CANARY_NAME);
    const lead = await new StudioClient(bot.url).as('editor');
    const seen = (await (await lead.call('GET', `/studio/api/insights?from=${today()}&to=${today()}`)).json()) as {
      conversations: number;
      understanding: Record<string, number>;
    };
    expect(seen.conversations).toBe(1);
    expect(seen.understanding).toEqual({ buttons: 2, understood: 0, clarified: 0, notUnderstood: 1 });
    await bot.close();
    bot = await startStudioBot({ STUDIO_DATA_DIR: dataDir });
    const again = await new StudioClient(bot.url).as('editor');
    const inbox = (await (await again.call('GET', '/studio/api/inbox')).json()) as Array<{ text: string }>;
    expect(inbox.map((group) => group.text)).toEqual([NOT_UNDERSTOOD]);
    const files = readdirSync(dataDir).map((file) => readFileSync(path.join(dataDir, file), 'utf8'));
    for (const canary of CANARIES)
      expect({ canary, kept: files.some((text) => text.includes(canary)) }).toEqual({
        canary,
        kept: false,
      });
  });
});

describe('insights of a message in a language the bot does not speak', () => {
  let bot: RunningBot;
  afterAll(async () => {
    await bot?.close();
  });

  it('counts and files it under "other", and says it cannot be taught', async () => {
    bot = await startStudioBot({ STUDIO_DATA_DIR: await studioDataDir() });
    const script = readFileSync(path.join(ROOT, 'test', 'conversations', 'unsupported-language.yaml'), 'utf8');
    const message = /type: "([^"]+)"/.exec(script)![1]!;
    const chat = new HttpConversation(bot.url, 'insights-other', {});
    const reply = await chat.say(message);
    expect(reply.trace?.locale).toBe('en');
    const lead = await new StudioClient(bot.url).as('editor');
    let groups: Array<{ id: string; text: string; language: string }> = [];
    // Recording does not hold the turn up: the inbox has it a moment later.
    for (let tries = 0; groups.length === 0 && tries < 50; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      groups = (await (await lead.call('GET', '/studio/api/inbox')).json()) as typeof groups;
    }
    expect(groups.map(({ language }) => language)).toEqual(['other']);
    const seen = (await (await lead.call('GET', `/studio/api/insights?from=${today()}&to=${today()}`)).json()) as {
      byLanguage: Record<string, number>;
    };
    expect(seen.byLanguage).toEqual({ other: 1 });
    const taught = await lead.call('POST', `/studio/api/inbox/${groups[0]!.id}/teach`, { topic: 'lockout' });
    expect(taught.status).toBe(422);
    expect(((await taught.json()) as { error: string }).error).toBe('unsupported_language');
    expect((await lead.call('POST', `/studio/api/inbox/${groups[0]!.id}/dismiss`)).status).toBe(204);
  });
});

describe('the insights routes in api/studio.v1.yaml', () => {
  it('document every answer the tests above got, status and body', () => {
    const contract = new Contract('studio.v1.yaml');
    const answers = StudioClient.answers.filter((answer) => /\/(insights|inbox)/.test(answer.route));
    expect(new Set(answers.map((answer) => `${answer.method} ${answer.route}`)).size).toBe(4);
    const problems = answers.flatMap((answer) =>
      contract.check(answer.method, answer.route, answer.status, answer.body, answer.headers),
    );
    expect(problems).toEqual([]);
  });
});
