import { loadConfig } from '../../src/config';
import { MAX_ACTIVITY_ID, MAX_ACTIVITY_TEXT } from '../../src/dialog/limits';
import { startBot, type RunningBot } from '../../src/index';
import { createLogger } from '../../src/logger';
import { activity, postToBot as post } from '../support/activities';
import { BotProcess } from '../support/botProcess';

describe('activities /api/messages refuses, with the field named', () => {
  let bot: RunningBot;
  beforeAll(async () => {
    bot = await startBot(loadConfig({ PORT: '0', HOST: '127.0.0.1' }), createLogger('silent'));
  });
  afterAll(async () => bot.close());

  const long = 'x'.repeat(MAX_ACTIVITY_ID + 1);
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['text that is a number', { text: 42 }, 'text'],
    ['text that is an object', { text: { toString: 'hello' } }, 'text'],
    ['no from', { from: undefined }, 'from'],
    ['no recipient', { recipient: undefined }, 'recipient'],
    ['no conversation', { conversation: undefined }, 'conversation'],
    ['entities that are not an array', { entities: 'mention' }, 'entities'],
    ['an entity that is not an object', { entities: [1] }, 'entities.0'],
    ['an entity without a type', { entities: [{ text: 'hi' }] }, 'entities.0.type'],
    ['a mention that names no one', { entities: [{ type: 'Mention', text: '<at>bot</at>' }] }, 'entities.0.mentioned'],
    ['attachments that are not an array', { attachments: { contentType: 'image/png' } }, 'attachments'],
    ['a conversation id over the limit', { conversation: { id: long } }, 'conversation.id'],
    ['a user id over the limit', { from: { id: long } }, 'from.id'],
    ['a recipient id over the limit', { recipient: { id: long } }, 'recipient.id'],
    ['an activity id over the limit', { id: long }, 'id'],
    ['text over the limit', { text: 'a '.repeat(MAX_ACTIVITY_TEXT) }, 'text'],
  ];
  it.each(cases)('%s: 400 invalid_activity naming the field', async (_name, fields, field) => {
    const response = await post(bot.url, activity(`bad-${field}`, fields));
    expect(response.status).toBe(400);
    expect(response.json).toMatchObject({ error: 'invalid_activity' });
    expect(response.json!.message).toContain(`"${field}"`);
    expect(response.text).not.toContain(long);
  });

  it('answers text at the limit, and ids at the limit, with a turn', async () => {
    const response = await post(
      bot.url,
      activity('y'.repeat(MAX_ACTIVITY_ID), {
        text: 'b'.repeat(MAX_ACTIVITY_TEXT),
        from: { id: 'u'.repeat(MAX_ACTIVITY_ID) },
      }),
    );
    expect(response.status).toBe(200);
    const activities = (response.json as { activities: Array<{ type: string }> }).activities;
    expect(activities.map((each) => each.type)).toContain('message');
  });

  it('answers an invoke activity with 400 naming it, never an empty 501', async () => {
    const response = await post(
      bot.url,
      activity('invoke', { type: 'invoke', name: 'adaptiveCard/action', value: {} }),
    );
    expect(response.status).toBe(400);
    expect(response.json).toMatchObject({ error: 'unsupported_activity' });
    expect(response.json!.message).toContain('invoke');
  });
});

describe("the bot's own Direct Line holds texts to the same limit", () => {
  let bot: RunningBot;
  beforeAll(async () => {
    bot = await startBot(loadConfig({ PORT: '0', HOST: '127.0.0.1' }), createLogger('silent'));
  });
  afterAll(async () => bot.close());

  it('refuses a text over the limit and a locale that is not a string, naming the field', async () => {
    const grant = (await (await fetch(`${bot.url}/api/directline/token`, { method: 'POST' })).json()) as {
      token: string;
      conversationId: string;
    };
    const headers = { authorization: `Bearer ${grant.token}`, 'content-type': 'application/json' };
    const base = `${bot.url}/v3/directline/conversations`;
    expect((await fetch(base, { method: 'POST', headers })).status).toBeLessThan(300);
    const send = (text: string) =>
      fetch(`${base}/${grant.conversationId}/activities`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ type: 'message', from: { id: 'someone' }, text }),
      });
    const over = await send('c'.repeat(MAX_ACTIVITY_TEXT + 1));
    expect(over.status).toBe(413);
    expect(((await over.json()) as { error: { message: string } }).error.message).toContain('"text"');
    expect((await send('c'.repeat(MAX_ACTIVITY_TEXT))).status).toBe(200);
    const locale = await fetch(`${base}/${grant.conversationId}/activities`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ type: 'message', from: { id: 'someone' }, text: 'hi', locale: -1 }),
    });
    expect(locale.status).toBe(400);
    expect(((await locale.json()) as { error: { message: string } }).error.message).toContain('"locale"');
  });
});

describe('large texts and the event loop', () => {
  let bot: BotProcess;
  beforeAll(async () => {
    bot = await BotProcess.start({});
  }, 30_000);
  afterAll(async () => bot.stop());

  /** Since the previous call: the longest the bot's event loop was blocked, and the CPU time it used. */
  async function scrape(): Promise<{ blockedMs: number; cpuMs: number }> {
    const metrics = await (await fetch(`${bot.url}/metrics`)).text();
    const value = (name: string) => Number(new RegExp(`^helpdesk_${name} (\\S+)$`, 'm').exec(metrics)![1]) * 1000;
    return { blockedMs: value('nodejs_eventloop_lag_max_seconds'), cpuMs: value('process_cpu_seconds_total') };
  }

  it('spends little on each of 20 texts of 240 KB and 20 at the limit arriving at once', async () => {
    await post(bot.url, activity('warm-up', { text: 'hello' }));
    const bodies = Array.from({ length: 40 }, (_, index) =>
      activity(`large-${index}`, { text: 'Mein Konto '.repeat((index % 2 ? MAX_ACTIVITY_TEXT : 240 * 1024) / 11) }),
    );
    const rounds: Array<{ blockedMs: number; cpuPerMessageMs: number }> = [];
    for (let round = 0; round < 3; round++) {
      const before = await scrape();
      const statuses = await Promise.all(bodies.map((body) => post(bot.url, body).then((response) => response.status)));
      const after = await scrape();
      rounds.push({ blockedMs: after.blockedMs, cpuPerMessageMs: (after.cpuMs - before.cpuMs) / bodies.length });
      expect(statuses.filter((status) => status === 400)).toHaveLength(20);
      expect(statuses.filter((status) => status === 200)).toHaveLength(20);
    }
    // No message may hold the event loop for 50 ms: what the whole process spends per message (CPU time, which
    // other work on the machine does not inflate) stays under that.
    for (const round of rounds) expect(round.cpuPerMessageMs).toBeLessThan(50);
    // The wall-clock stall also counts the machine's other work; the bound is generous, and the middle of three
    // rounds keeps one stall of the machine from deciding.
    expect(rounds.map((round) => round.blockedMs).sort((a, b) => a - b)[1]).toBeLessThan(1000);
  });
});
