import {
  MemoryConversationStore,
  RedisConversationStore,
  type ConversationStore,
} from '../../src/directLine/conversationStore';
import { ANSWER_MASK_FIELD, LocalDirectLine } from '../../src/directLine/localDirectLine';
import { DirectLineTokens } from '../../src/directLine/tokens';
import { createRedis, type RedisClient } from '../../src/state/redisConnection';
import { RedisServer } from '../support/redisServer';

const limits = {
  maxActivities: 3,
  maxBytes: 64 * 1024,
  idleSeconds: 60,
  now: () => Date.parse('2026-11-30T10:00:00Z'),
};

let server: RedisServer;
const clients: RedisClient[] = [];
beforeAll(async () => {
  server = await RedisServer.start();
});
afterAll(async () => {
  for (const client of clients) client.disconnect();
  await server.stop();
});

const stores: Array<[string, () => Promise<ConversationStore>]> = [
  ['memory', async () => new MemoryConversationStore(limits)],
  [
    'Redis',
    async () => {
      // Connected the way the bot connects (lazy, no offline queue), which the subscriber must cope with.
      const client = createRedis({ url: server.url });
      clients.push(client);
      await client.connect();
      return new RedisConversationStore(client, limits);
    },
  ],
];

describe.each(stores)('the local Direct Line conversations, in %s', (_name, make) => {
  let store: ConversationStore;
  let conversation = 0;
  let id: string;
  beforeEach(async () => {
    store = await make();
    id = `conversation-${++conversation}-${Date.now()}`;
    expect(await store.open(id, 'dl_owner')).toBe(true);
  });
  afterEach(() => store.close());

  it('belong to the user who opened them', async () => {
    expect(await store.open(id, 'dl_owner')).toBe(true);
    expect(await store.open(id, 'dl_someone_else')).toBe(false);
    expect(await store.find(id)).toBe('dl_owner');
    expect(await store.find('never-opened')).toBeUndefined();
  });

  it('number activities in order, read from a watermark, and keep only the newest', async () => {
    const texts = ['one', 'two', 'three', 'four', 'five'];
    const ids = [];
    for (const text of texts) ids.push((await store.append(id, { type: 'message', text })).id);
    expect(ids).toEqual([0, 1, 2, 3, 4].map((n) => `${id}|000000${n}`));
    expect(await store.since(id, '3')).toMatchObject({
      watermark: '5',
      activities: [
        { text: 'four', id: ids[3] },
        { text: 'five', id: ids[4] },
      ],
    });
    // Only three are kept: a client further behind starts from the oldest kept.
    expect((await store.since(id, undefined)).activities.map((activity) => activity.text)).toEqual([
      'three',
      'four',
      'five',
    ]);
    expect((await store.since(id, '0')).activities.map((activity) => activity.text)).toEqual(['three', 'four', 'five']);
    expect(await store.since(id, '5')).toEqual({ watermark: '5', activities: [] });
    expect(await store.since(id, 'not-a-watermark')).toMatchObject({ watermark: '5' });
  });

  it('keep no more bytes than the cap: the oldest activities make room for the newest', async () => {
    const big = (text: string) => ({ type: 'message', text, channelData: { padding: 'x'.repeat(30 * 1024) } });
    for (const text of ['one', 'two', 'three']) await store.append(id, big(text));
    const kept = await store.since(id, undefined);
    expect(kept.watermark).toBe('3');
    expect(kept.activities.map((activity) => activity.text)).toEqual(['two', 'three']);
    expect(Buffer.byteLength(JSON.stringify(kept.activities))).toBeLessThanOrEqual(limits.maxBytes);
    // One activity larger than the cap is still kept on its own: the newest is never dropped.
    await store.append(id, { ...big('four'), channelData: { padding: 'x'.repeat(70 * 1024) } });
    expect((await store.since(id, undefined)).activities.map((activity) => activity.text)).toEqual(['four']);
    await store.append(id, { type: 'message', text: 'five' });
    expect((await store.since(id, undefined)).activities.map((activity) => activity.text)).toEqual(['five']);
  });

  it('replace a kept activity, and refuse one no longer kept', async () => {
    const first = await store.append(id, { type: 'message', text: 'draft' });
    expect(await store.update(id, first.id!, { type: 'message', text: 'final' })).toBe(true);
    expect((await store.since(id, '0')).activities[0]).toMatchObject({ id: first.id, text: 'final' });
    for (const text of ['a', 'b', 'c']) await store.append(id, { type: 'message', text });
    expect(await store.update(id, first.id!, { type: 'message', text: 'too late' })).toBe(false);
  });

  it('tell listeners about each new activity with its watermark, until they stop', async () => {
    const heard: Array<[string | undefined, number]> = [];
    const stop = await store.listen(id, (activity, watermark) => heard.push([activity?.text, watermark]));
    await store.append(id, { type: 'message', text: 'hello' });
    await store.append(id, { type: 'message', text: 'again' });
    await waitFor(() => heard.length === 2);
    stop();
    await store.append(id, { type: 'message', text: 'unheard' });
    // Long enough for a published message to come back, had anyone still been listening.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(heard).toEqual([
      ['hello', 1],
      ['again', 2],
    ]);
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('a stream over Redis, with activities appended by several instances at once', () => {
  it('gets every activity once, in order, whatever order the instances run in', async () => {
    const instance = async () => {
      const client = createRedis({ url: server.url });
      clients.push(client);
      await client.connect();
      return new LocalDirectLine({
        store: new RedisConversationStore(client, { ...limits, maxActivities: 500 }),
        tokens: new DirectLineTokens('one key for every instance'),
        deliver: async () => undefined,
        serviceUrl: () => 'http://127.0.0.1:9/',
        bot: { id: 'bot', name: 'Bot' },
      });
    };
    const [first, second, listening] = await Promise.all([instance(), instance(), instance()]);
    const grant = first.issue();
    await first.start(grant.token);
    const received: Array<{ id?: string; text?: string }> = [];
    const marks: number[] = [];
    const stop = await listening.subscribe(grant.token, grant.conversationId, undefined, (set) => {
      received.push(...set.activities);
      marks.push(Number(set.watermark));
    });
    const total = 120;
    await Promise.all(
      Array.from({ length: total }, (_, i) =>
        (i % 2 ? first : second).fromBot(grant.conversationId, { type: 'message', text: `message ${i}` }),
      ),
    );
    await waitFor(() => received.length >= total);
    await new Promise((resolve) => setTimeout(resolve, 200));
    stop();
    expect(received.map((activity) => activity.id)).toEqual(
      Array.from({ length: total }, (_, i) => `${grant.conversationId}|${String(i).padStart(7, '0')}`),
    );
    expect(new Set(received.map((activity) => activity.text)).size).toBe(total);
    expect(marks.at(-1)).toBe(total);
    for (const each of [first, second, listening]) await each.close();
  });
});

describe.each(stores)('the answer to a private question, conversations in %s', (_name, makeStore) => {
  it('is kept, streamed and read back masked, while the bot gets it whole', async () => {
    const delivered: Array<string | undefined> = [];
    const directLine = new LocalDirectLine({
      store: await makeStore(),
      tokens: new DirectLineTokens('a key for the masking test'),
      deliver: async (activity) => void delivered.push(activity.text),
      serviceUrl: () => 'http://127.0.0.1:9/',
      bot: { id: 'bot', name: 'Bot' },
    });
    const grant = directLine.issue();
    await directLine.start(grant.token);
    const streamed: Array<string | undefined> = [];
    const stop = await directLine.subscribe(grant.token, grant.conversationId, undefined, (set) =>
      streamed.push(...set.activities.map((activity) => activity.text)),
    );
    const question = { type: 'message', text: 'Your secret number?', channelData: { [ANSWER_MASK_FIELD]: 'full' } };
    await directLine.fromBot(grant.conversationId, question);
    await directLine.post(grant.token, grant.conversationId, { type: 'message', text: '8123' });
    await directLine.fromBot(grant.conversationId, { type: 'message', text: 'Thanks.' });
    await directLine.post(grant.token, grant.conversationId, { type: 'message', text: 'menu' });
    await waitFor(() => streamed.length >= 4);
    stop();
    expect(delivered).toEqual(['8123', 'menu']);
    const kept = (await directLine.read(grant.token, grant.conversationId, undefined)).activities;
    expect(kept.map((activity) => activity.text).slice(-3)).toEqual(['••••', 'Thanks.', 'menu']);
    expect(streamed).not.toContain('8123');
    await directLine.close();
  });
});
