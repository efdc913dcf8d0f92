import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../src/config';
import type { FormNode } from '../../src/content/dialogSchema';
import { startBot, type RunningBot } from '../../src/index';
import { createLogger } from '../../src/logger';
import { content, english } from '../support/helpers';
import { HttpConversation, postActivity, type Trace, type Turn } from '../support/httpConversation';
import { RedisServer } from '../support/redisServer';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The form that files a helpdesk request, the node that leads to it, and where it goes once filed. */
function helpdeskForm() {
  const { nodes, start } = content().dialog;
  const [name, form] = Object.entries(nodes).find(
    ([, node]) => 'action' in node && node.action === 'createHelpdeskRequest',
  ) as [string, FormNode];
  const [entry] = Object.entries(nodes).find(
    ([, node]) => 'choices' in node && node.choices.some((choice) => choice.goto === name),
  )!;
  return { start, entry, name, form, filed: form.outcomes.created! };
}

/** A valid answer for each question of the form; the name tells the candidates apart. */
function answers(candidate: number): Record<string, string> {
  const letters = [...String(candidate)].map((digit) => 'abcdefghij'[Number(digit)]).join('');
  return {
    fullName: `Ana García L${letters}`,
    exam: 'B2 First',
    examDate: '14/06/2025',
    centreName: 'Centro de Exámenes Madrid',
    email: 'ana@example.org',
    idNumber: 'ABC123456',
    secretNumber: '1234',
  };
}

/** "I can't reach my records, try again": the turn said nothing happened. */
const isUnavailable = (turn: Turn) => turn.trace === undefined && turn.text === english('common:unavailable');

/** A click on a button of no state: the bot says so and stays where it is, so its trace shows where that is. */
const PROBE = { value: { choice: 'probe', state: 'no-such-state' } };

/**
 * An account service double on 127.0.0.1 that files a helpdesk request once per Idempotency-Key (a retry with
 * the same key gets the same reference) and records every request. `hold` decides how long an answer waits.
 */
async function helpdeskService(hold: () => number) {
  const filed = new Map<string, { reference: string; fullName: string }>();
  const requests: Array<{ key: string; fullName: string }> = [];
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    let text = '';
    for await (const chunk of req) text += chunk;
    const body = JSON.parse(text || '{}') as { fullName?: string };
    const key = String(req.headers['idempotency-key'] ?? '');
    requests.push({ key, fullName: body.fullName ?? '' });
    if (req.url !== '/v1/helpdesk-requests') {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'not_found', message: 'Not part of this test.' }));
      return;
    }
    if (!filed.has(key)) filed.set(key, { reference: `HD-${filed.size + 1001}`, fullName: body.fullName ?? '' });
    await sleep(hold());
    if (res.destroyed) return;
    res.writeHead(201, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ reference: filed.get(key)!.reference }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    token: 'helpdesk-double-token-0123456789',
    requests,
    /** The helpdesk requests filed for one candidate (distinct keys), with their references. */
    filedFor: (fullName: string) => [...filed.values()].filter((request) => request.fullName === fullName),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('a turn is all or nothing when Redis stalls', () => {
  let redis: RedisServer;
  let bot: RunningBot;
  let service: Awaited<ReturnType<typeof helpdeskService>>;
  let hold = () => 0;
  beforeAll(async () => {
    redis = await RedisServer.start();
    service = await helpdeskService(() => hold());
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      REDIS_URL: redis.url,
      ACCOUNT_SERVICE_URL: service.url,
      ACCOUNT_SERVICE_TOKEN: service.token,
    });
    bot = await startBot(config, createLogger('silent'));
  });
  afterAll(async () => {
    redis.thaw();
    await bot.close();
    await service.close();
    await redis.stop();
  });

  it('tells the candidate confirming a request during a stall what was stored, and a retry files it', async () => {
    const { start, entry, name, form, filed } = helpdeskForm();
    const chat = new HttpConversation(bot.url, 'stalled-confirm');
    expect((await chat.say('hi')).trace?.state).toBe(start);
    await chat.choose(entry);
    await chat.choose(name);
    // A candidate of its own: the load test below counts filings per candidate on the same service.
    const values = answers(99);
    for (const question of form.ask) await chat.answer(question.slot, values[question.slot]!);
    const summary = chat.last!.trace!;
    expect(summary.expecting).toBe('confirm');

    // The account service takes 1.5 s; Redis freezes from 0.5 s to 3.5 s, so the turn's save meets the stall.
    hold = () => 1500;
    const freeze = sleep(500).then(() => redis.freeze());
    const thaw = sleep(3500).then(() => redis.thaw());
    let reply: Turn;
    try {
      reply = await chat.send({ value: { choice: 'send', state: summary.state } });
    } finally {
      await freeze;
      await thaw;
      hold = () => 0;
    }
    // Whatever Redis still had queued from the turn has run by now.
    await sleep(500);
    expect({ text: reply.text, trace: reply.trace }).toEqual({ text: english('common:unavailable'), trace: undefined });

    const after = await chat.send(PROBE);
    expect({ state: after.trace?.state, expecting: after.trace?.expecting }).toEqual({
      state: summary.state,
      expecting: summary.expecting,
    });
    const retry = await chat.send({ value: { choice: 'send', state: summary.state } });
    expect(retry.trace?.state).toBe(filed);
    // The retry carries the first attempt's idempotency key: one request, and its reference is shown.
    const requests = service.filedFor(values.fullName!);
    expect(requests).toHaveLength(1);
    expect(retry.text).toContain(requests[0]!.reference);
  }, 30_000);

  it('keeps every reply true to the stored state for 20 candidates through three Redis stalls', async () => {
    const { start, entry, name, filed } = helpdeskForm();
    const began = Date.now();
    // Three Redis stalls and one of the account service (its answers held until the stall ends).
    const stalls = [
      { at: 1500, ms: 2000 },
      { at: 6000, ms: 1200 },
      { at: 9500, ms: 3000 },
    ];
    const serviceStall = { at: 4000, ms: 2000 };
    hold = () => {
      const now = Date.now() - began;
      const inStall = now >= serviceStall.at && now < serviceStall.at + serviceStall.ms;
      return inStall ? Math.max(1000, serviceStall.at + serviceStall.ms - now) : 1000;
    };
    const faults = Promise.all(
      stalls.map(async ({ at, ms }) => {
        await sleep(at);
        redis.freeze();
        await sleep(ms);
        redis.thaw();
      }),
    );

    let turns = 0;
    let unavailable = 0;
    const disagreements: string[] = [];
    const lost: string[] = [];
    const late: string[] = [];
    const referenceUnseen: string[] = [];
    /** One message, timed; every message must get exactly one answer: the turn's reply or "try again". */
    async function post(conversation: string, fields: Record<string, unknown>): Promise<Turn> {
      const sent = Date.now();
      const turn = await postActivity(bot.url, conversation, { id: `${conversation}-${++turns}`, ...fields });
      const ms = Date.now() - sent;
      if (ms >= 5000) late.push(`${conversation}: ${ms} ms for ${JSON.stringify(fields)}`);
      const messages = turn.activities.filter((activity) => activity.type === 'message');
      if (turn.status !== 200 || messages.length === 0 || (turn.trace === undefined && !isUnavailable(turn)))
        lost.push(`${conversation}: ${turn.status} ${JSON.stringify(turn.activities).slice(0, 200)}`);
      if (isUnavailable(turn)) unavailable += 1;
      return turn;
    }
    /** Where the conversation is now, asked until the bot can say. */
    async function whereNow(conversation: string): Promise<Trace> {
      for (;;) {
        const turn = await post(conversation, PROBE);
        if (turn.trace) return turn.trace;
        await sleep(200);
      }
    }

    /** A candidate who does what the dialog asks, and when told "try again", tries the same again. */
    async function candidate(n: number): Promise<void> {
      const conversation = `fault-${n}`;
      const values = answers(n);
      await sleep(n * 250);
      let known: Trace | undefined;
      const give = (at: Trace | undefined): Record<string, unknown> => {
        if (!at) return { text: 'hi' };
        if (at.state === start) return { value: { choice: entry, state: at.state } };
        if (at.state === entry) return { value: { choice: name, state: at.state } };
        if (at.expecting === 'confirm') return { value: { choice: 'send', state: at.state } };
        return { text: values[at.expecting!] };
      };
      while (known?.state !== filed) {
        if (Date.now() - began > 30_000) throw new Error(`${conversation} did not file its request in time`);
        const reply = await post(conversation, give(known));
        if (reply.trace?.state === filed) {
          const references = service.filedFor(values.fullName!).map((request) => request.reference);
          if (!references.some((reference) => reply.text.includes(reference)))
            referenceUnseen.push(`${conversation}: none of ${references.join(', ')} in "${reply.text}"`);
        }
        const now = await whereNow(conversation);
        const expected = reply.trace ?? known;
        // A first message that was not stored leaves no conversation: the probe opens one, nothing to compare.
        if (expected && (now.state !== expected.state || now.expecting !== expected.expecting))
          disagreements.push(
            `${conversation}: told ${reply.trace ? reply.trace.state : 'unavailable'}, ` +
              `stored ${now.state} (was ${known?.state})`,
          );
        known = now;
        await sleep(100 + ((n * 37 + turns) % 300));
      }
    }

    try {
      await Promise.all(Array.from({ length: 20 }, (_, n) => candidate(n)));
    } finally {
      await faults;
      hold = () => 0;
    }
    expect({ disagreements, lost, late, referenceUnseen }).toEqual({
      disagreements: [],
      lost: [],
      late: [],
      referenceUnseen: [],
    });
    expect(unavailable).toBeGreaterThan(0);
    // Every candidate's request was filed exactly once, however often the confirmation was retried: the
    // idempotency key belongs to the form's submission, not to the message that sent it.
    const filings = Array.from({ length: 20 }, (_, n) => service.filedFor(answers(n).fullName!).length);
    expect(filings).toEqual(Array.from({ length: 20 }, () => 1));
  }, 60_000);
});
