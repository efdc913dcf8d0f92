import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { LANGUAGES } from '../../src/dialog/languages';
import { MAX_ACTIVITY_ID, MAX_ACTIVITY_TEXT } from '../../src/dialog/limits';
import { activity } from '../support/activities';
import { BotProcess } from '../support/botProcess';
import { content } from '../support/helpers';
import { RedisServer } from '../support/redisServer';
import { WebSocket } from 'ws';

/**
 * Generated traffic, valid, mutated and hostile, against /api/messages and the bot's own Direct Line (tokens,
 * conversations, reconnect, activities, refresh), with a fixed seed. The bot runs as its own process on a real
 * Redis, so its memory is its own and its conversations live in Redis. Bounded: 30 to 70 seconds on two busy
 * cores (11,000 requests, 16 at a time, and two pauses to measure memory), and at most the timeout below.
 *
 * Memory is measured after a full garbage collection, asked for through the inspector (the child listens on a
 * random loopback port): left alone, V8 keeps the heap it grew to under load for as long as the process is
 * idle, so the resident size read then is the load's high-water mark, not what the bot holds on to.
 */
const SEED = 20261201;
const WARM_UP = 1_000;
const REQUESTS = 10_000;
const AT_ONCE = 16;
const DIRECT_LINE_CONVERSATIONS = 12;
const TIMEOUT_MS = 240_000;
/** The serviceUrl generated activities carry, replaced when sent by the address of the test's channel. */
const SERVICE_URL = 'http://127.0.0.1:9/';

/** A stack frame, as V8 prints it ("at fn (file:1:2)"), also inside a JSON-escaped string. */
const STACK_FRAME = /\bat (?:[\w$.<>[\] ]+ \()?(?:node:|file:|\/)[^\s)]*:\d+:\d+\)?/;

type Auth = 'own' | 'other' | 'tampered' | 'none' | 'junk';

/** One request of the run; which live token or conversation it uses is resolved when it is sent. */
type Probe =
  | { route: 'messages'; body: unknown; raw?: string; contentType?: string }
  | { route: 'token' }
  | { route: 'start'; auth: Auth; slot: number }
  | { route: 'reconnect' | 'read'; auth: Auth; slot: number; watermark?: string; conversation?: string }
  | { route: 'post'; auth: Auth; slot: number; body: unknown; raw?: string; conversation?: string }
  | { route: 'refresh'; auth: Auth; slot: number }
  | { route: 'upload'; auth: Auth; slot: number };

const dialog = content().dialog;
const nodes = Object.keys(dialog.nodes);
const states = [...nodes, ...nodes.map((node) => `${node}.confirm`), ...nodes.map((node) => `${node}.failed`)];

/** Texts a candidate types, and texts nobody would. */
const text = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('hi', 'menu', 'back', 'help', 'start over', '1', '2', '3', '6', 'yes') },
  { weight: 2, arbitrary: fc.constantFrom('ABC123456', 'SIR094701', '1234', '8482', '14/06/2025', 'B2 First') },
  { weight: 1, arbitrary: fc.constantFrom('English', 'Español', 'Italiano', 'Français', 'Deutsch', '中文') },
  { weight: 2, arbitrary: fc.string({ maxLength: 60 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 80 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('<script>alert(1)</script>', '{{links.login}}', '$(reboot)', '\u0000\u202e'),
  },
  { weight: 1, arbitrary: fc.constantFrom(MAX_ACTIVITY_TEXT, MAX_ACTIVITY_TEXT + 1).map((n) => 'x'.repeat(n)) },
);

/** What a card button, the page's language switch or a typed topic sends as `value`. */
const value = fc.oneof(
  fc.record({
    choice: fc.constantFrom(...nodes, 'send', 'retry', 'edit:secretNumber'),
    state: fc.constantFrom(...states),
  }),
  fc.record({ goto: fc.constantFrom(...nodes, '__proto__', 'constructor') }),
  fc.record({ language: fc.constantFrom(...LANGUAGES, 'pt', '') }),
  fc.anything({ maxDepth: 2 }),
);

const locale = fc.oneof(fc.constantFrom('en-GB', 'es-ES', 'it-IT', 'fr-FR', 'de-DE', 'pt-BR', ''), fc.string());

/** A field of a valid activity replaced by anything, removed, or grown past its limit. */
function mutated(base: fc.Arbitrary<Record<string, unknown>>, fields: string[]) {
  const change = fc.oneof(
    fc.record({ field: fc.constantFrom(...fields), to: fc.anything({ maxDepth: 3 }) }),
    fc.record({ field: fc.constantFrom(...fields), to: fc.constant(undefined) }),
    fc.record({ field: fc.constantFrom(...fields), to: fc.constant('i'.repeat(MAX_ACTIVITY_ID + 1)) }),
    fc.record({ field: fc.string({ maxLength: 12 }), to: fc.jsonValue({ maxDepth: 3 }) }),
  );
  return fc.tuple(base, fc.array(change, { minLength: 1, maxLength: 3 })).map(([activity, changes]) => {
    const copy: Record<string, unknown> = structuredClone(activity);
    for (const { field, to } of changes) {
      if (to === undefined) delete copy[field];
      else if (['conversation', 'from', 'recipient'].includes(field) && typeof to === 'string')
        copy[field] = { id: to };
      else copy[field] = to;
    }
    return copy;
  });
}

/** Bodies no client should send: not JSON, not an object, nested too deep, or too big. */
const hostileRaw = fc.oneof(
  fc.constantFrom(
    '',
    'null',
    '[]',
    '"message"',
    '1e309',
    '{"type":',
    '{"__proto__":{"polluted":true},"type":"message"}',
    '{"constructor":{"prototype":{"polluted":true}}}',
    `${'['.repeat(20_000)}${']'.repeat(20_000)}`,
    `{"type":"message","text":"${'y'.repeat(300 * 1024)}"}`,
  ),
  fc.string({ unit: 'binary', maxLength: 200 }),
);

const messagesProbe: fc.Arbitrary<Probe> = (() => {
  const conversation = fc.nat(199).map((n) => `fuzz-${n}`);
  const valid = fc
    .record({
      conversation,
      fields: fc.record(
        {
          type: fc.constantFrom('message', 'message', 'message', 'event', 'conversationUpdate', 'typing', 'invoke'),
          text,
          value,
          locale,
          name: fc.constantFrom('webchat/join', 'webchat/setLanguage', 'x'),
          membersAdded: fc.constant([{ id: 'someone' }]),
          localTimezone: fc.constantFrom('Europe/Madrid', 'Mars/Olympus', ''),
          entities: fc.constant([{ type: 'mention', mentioned: { id: 'bot' }, text: '<at>bot</at>' }]),
          attachments: fc.constant([{ contentType: 'image/png', contentUrl: `${SERVICE_URL}x.png` }]),
          // Replies in the response, or posted back to the channel as Bot Connector calls.
          deliveryMode: fc.constantFrom('expectReplies', 'normal'),
        },
        { requiredKeys: ['type'] },
      ),
    })
    .map(({ conversation, fields }) => activity(conversation, fields));
  const fields = ['type', 'text', 'value', 'from', 'recipient', 'conversation', 'channelId', 'serviceUrl', 'id'];
  return fc.oneof(
    { weight: 5, arbitrary: valid.map((body) => ({ route: 'messages' as const, body })) },
    {
      weight: 3,
      arbitrary: mutated(valid, [...fields, 'entities', 'locale', 'deliveryMode']).map((body) => ({
        route: 'messages' as const,
        body,
      })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(hostileRaw, fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded'))
        .map(([raw, contentType]) => ({ route: 'messages' as const, body: undefined, raw, contentType })),
    },
  );
})();

const directLineProbe: fc.Arbitrary<Probe> = (() => {
  const auth = fc.constantFrom<Auth>('own', 'own', 'own', 'own', 'other', 'tampered', 'none', 'junk');
  const slot = fc.nat(DIRECT_LINE_CONVERSATIONS - 1);
  const watermark = fc.oneof(
    { weight: 3, arbitrary: fc.constant(undefined) },
    { weight: 3, arbitrary: fc.nat(50).map(String) },
    { weight: 1, arbitrary: fc.constantFrom('-1', '1e9', 'abc', '0x10', '') },
  );
  /** Mostly the token's own conversation; now and then one that does not exist or cannot. */
  const conversation = fc.oneof(
    { weight: 7, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.constantFrom('nope', '..%2F..', 'a'.repeat(MAX_ACTIVITY_ID + 1), '%00') },
  );
  const valid = fc.record(
    {
      type: fc.constantFrom('message', 'message', 'event', 'typing'),
      text,
      value,
      locale,
      from: fc.constant({ id: 'page' }),
    },
    { requiredKeys: ['type', 'from'] },
  );
  const body = fc.oneof(
    { weight: 4, arbitrary: valid },
    { weight: 3, arbitrary: mutated(valid, ['type', 'text', 'value', 'from', 'locale', 'channelData', 'attachments']) },
    { weight: 1, arbitrary: fc.anything({ maxDepth: 2 }) },
  );
  const withoutUndefined = <T extends object>(probe: T) =>
    Object.fromEntries(Object.entries(probe).filter(([, each]) => each !== undefined)) as T;
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant<Probe>({ route: 'token' }) },
    { weight: 1, arbitrary: fc.record({ auth, slot }).map((each) => ({ route: 'start' as const, ...each })) },
    { weight: 1, arbitrary: fc.record({ auth, slot }).map((each) => ({ route: 'refresh' as const, ...each })) },
    { weight: 1, arbitrary: fc.record({ auth, slot }).map((each) => ({ route: 'upload' as const, ...each })) },
    {
      weight: 3,
      arbitrary: fc
        .record({ route: fc.constantFrom('reconnect' as const, 'read' as const), auth, slot, watermark, conversation })
        .map(withoutUndefined),
    },
    {
      weight: 10,
      arbitrary: fc
        .record({
          auth,
          slot,
          conversation,
          payload: fc.oneof(
            { weight: 12, arbitrary: body.map((each) => ({ body: each })) },
            { weight: 1, arbitrary: hostileRaw.map((raw) => ({ body: undefined, raw })) },
          ),
        })
        .map(({ payload, ...rest }) => withoutUndefined({ route: 'post' as const, ...rest, ...payload })),
    },
  );
})();

const probe = fc.oneof({ weight: 1, arbitrary: messagesProbe }, { weight: 1, arbitrary: directLineProbe });

interface Live {
  token: string;
  conversationId: string;
}

/** Asks the process behind this inspector address for a full garbage collection, and waits until it is done. */
async function collectGarbage(inspector: string): Promise<void> {
  const socket = new WebSocket(inspector);
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const done = new Promise((resolve) => socket.once('message', resolve));
  socket.send(JSON.stringify({ id: 1, method: 'HeapProfiler.collectGarbage' }));
  await done;
  socket.close();
}

/** Resident memory of a process, in kB, as the kernel counts it. */
function residentKb(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match![1]);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('fuzzing the bot’s HTTP surface with generated activities', () => {
  let redis: RedisServer;
  let bot: BotProcess;
  /** The channel's side of the Bot Connector: takes every reply the bot posts to the activities' serviceUrl. */
  let channel: Server;
  let channelUrl: string;
  const live: Live[] = [];

  beforeAll(async () => {
    channel = createServer((req, res) => {
      req.resume();
      // Not chained: restify, loaded by other test files in the same worker, replaces writeHead with one that
      // returns nothing.
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"id":"reply"}');
      });
    });
    await new Promise<void>((resolve) => channel.listen(0, '127.0.0.1', resolve));
    channelUrl = `http://127.0.0.1:${(channel.address() as AddressInfo).port}/`;
    redis = await RedisServer.start();
    // Limits high enough that the traffic reaches the bot rather than stopping at 429 (the limits have their
    // own tests); Redis holds the conversations, so the bot's memory is what it keeps itself.
    bot = await BotProcess.start({
      REDIS_URL: redis.url,
      TOKENS_PER_MINUTE: '1000000',
      DIRECT_LINE_POSTS_PER_MINUTE: '1000000',
      STATE_ENCRYPTION_KEY: 'fuzz-state-key-'.repeat(3),
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --inspect=127.0.0.1:0`,
    });
  }, 60_000);
  afterAll(async () => {
    await bot?.stop();
    await redis?.stop();
    channel.closeAllConnections();
    await new Promise((resolve) => channel.close(resolve));
  });

  async function openConversation(): Promise<Live> {
    const granted = (await (await fetch(`${bot.url}/api/directline/token`, { method: 'POST' })).json()) as Live;
    const started = await fetch(`${bot.url}/v3/directline/conversations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${granted.token}` },
    });
    return (await started.json()) as Live;
  }

  function token(auth: Auth, slot: number): string | undefined {
    const own = live[slot]!.token;
    if (auth === 'own') return own;
    if (auth === 'other') return live[(slot + 1) % live.length]!.token;
    if (auth === 'tampered') return `${own.slice(0, -3)}${own.at(-3) === 'A' ? 'B' : 'A'}${own.slice(-2)}`;
    if (auth === 'junk') return 'eyJhbGciOiJub25lIn0.eyJjb252ZXJzYXRpb24iOiJ4In0.';
    return undefined;
  }

  /** Sends one probe; its route, status and body. */
  async function send(probe: Probe): Promise<{ route: string; status: number; body: string }> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    let method = 'POST';
    let path = '';
    let body: string | undefined;
    if (probe.route === 'messages') {
      path = '/api/messages';
      body = probe.raw ?? JSON.stringify(probe.body).replaceAll(SERVICE_URL, channelUrl);
      if (probe.contentType) headers['content-type'] = probe.contentType;
    } else if (probe.route === 'token') {
      path = '/api/directline/token';
    } else {
      const bearer = token(probe.auth, probe.slot);
      if (bearer) headers.authorization = `Bearer ${bearer}`;
      const conversation = encodeURIComponent(
        ('conversation' in probe && probe.conversation) || live[probe.slot]!.conversationId,
      );
      const base = `/v3/directline/conversations/${conversation}`;
      const query = 'watermark' in probe && probe.watermark !== undefined ? `?watermark=${probe.watermark}` : '';
      if (probe.route === 'start') path = '/v3/directline/conversations';
      else if (probe.route === 'refresh') path = '/v3/directline/tokens/refresh';
      else if (probe.route === 'upload') path = `${base}/upload`;
      else if (probe.route === 'reconnect') [method, path] = ['GET', `${base}${query}`];
      else if (probe.route === 'read') [method, path] = ['GET', `${base}/activities${query}`];
      else if (probe.route === 'post') {
        path = `${base}/activities`;
        body = probe.raw ?? JSON.stringify(probe.body ?? null);
      }
    }
    const response = await fetch(`${bot.url}${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body } : {}),
      signal: AbortSignal.timeout(20_000),
    });
    return { route: probe.route, status: response.status, body: await response.text() };
  }

  /** Sends the probes, `AT_ONCE` at a time; what came back, by route and status, and every answer that fails. */
  async function run(probes: Probe[]) {
    const byStatus: Record<string, Record<number, number>> = {};
    const failures: string[] = [];
    let next = 0;
    const worker = async () => {
      while (next < probes.length) {
        const probe = probes[next++]!;
        try {
          const { route, status, body } = await send(probe);
          (byStatus[route] ??= {})[status] = (byStatus[route]![status] ?? 0) + 1;
          if (status >= 500 || STACK_FRAME.test(body))
            failures.push(`${status} ${route} ${body.slice(0, 300)} <- ${JSON.stringify(probe).slice(0, 300)}`);
        } catch (error) {
          failures.push(`no answer (${(error as Error).message}) <- ${JSON.stringify(probe).slice(0, 300)}`);
        }
      }
    };
    await Promise.all(Array.from({ length: AT_ONCE }, worker));
    return { byStatus, failures };
  }

  /** The lowest resident memory over a few quiet seconds. */
  async function lowestKb(pid: number): Promise<number> {
    let lowest = Infinity;
    for (let sample = 0; sample < 6; sample++) {
      await sleep(500);
      lowest = Math.min(lowest, residentKb(pid));
    }
    return lowest;
  }

  /** Resident memory once the traffic stopped (`idle`), and after a full garbage collection (`collected`). */
  async function memory(pid: number): Promise<{ idle: number; collected: number }> {
    const idle = await lowestKb(pid);
    await collectGarbage(/ws:\/\/127\.0\.0\.1:\d+\/[\w-]+/.exec(bot.output)![0]);
    return { idle, collected: await lowestKb(pid) };
  }

  it(
    `answers ${REQUESTS} generated requests without a 5xx, a stack trace or a crash, and gives its memory back`,
    async () => {
      const started = Date.now();
      for (let n = 0; n < DIRECT_LINE_CONVERSATIONS; n++) live.push(await openConversation());
      const pid = bot.child.pid!;

      // Warm up on traffic like the run's own (another seed), then take the baseline.
      const warmUp = await run(fc.sample(probe, { seed: SEED + 1, numRuns: WARM_UP }));
      expect(warmUp.failures).toEqual([]);
      const before = await memory(pid);

      const probes = fc.sample(probe, { seed: SEED, numRuns: REQUESTS });
      const { byStatus, failures } = await run(probes);
      const after = await memory(pid);
      const ratio = (of: keyof typeof after) => Math.round((after[of] / before[of]) * 1000) / 1000;

      const answered = Object.values(byStatus).flatMap((statuses) => Object.values(statuses));
      const figures = {
        requests: answered.reduce((sum, count) => sum + count, 0),
        seconds: Math.round((Date.now() - started) / 1000),
        residentKb: { before, after, ratio: { idle: ratio('idle'), collected: ratio('collected') } },
        byStatus,
      };
      process.stdout.write(`fuzz: ${JSON.stringify(figures)}\n`);

      expect(failures.slice(0, 10)).toEqual([]);
      expect(figures.requests).toBe(REQUESTS);
      expect(bot.child.exitCode).toBeNull();
      expect((await fetch(`${bot.url}/healthz`)).status).toBe(200);
      // Nothing the bot wrote (its log lines, stderr) carries a stack trace.
      expect(
        bot.output
          .split('\n')
          .filter((line) => STACK_FRAME.test(line))
          .slice(0, 3),
      ).toEqual([]);
      expect(after.collected / before.collected).toBeLessThanOrEqual(1.1);
    },
    TIMEOUT_MS,
  );
});
