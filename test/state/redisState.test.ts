import { MemoryStorage, type Storage } from 'botbuilder';
import { StateStoreStorage } from '../../src/bot/storage';
import { createRedis, type RedisClient } from '../../src/state/redisConnection';
import { RedisStateStore } from '../../src/state/redisStateStore';
import { StateUnavailableError } from '../../src/state/stateStore';
import { InProcessTurnGate, RedisTurnGate, type TurnGate } from '../../src/state/turnGate';
import { activityDigest } from '../../src/state/turnScripts';
import { RedisServer } from '../support/redisServer';

let redis: RedisServer;
const clients: RedisClient[] = [];
async function client(): Promise<RedisClient> {
  const connection = createRedis({ url: redis.url });
  await connection.connect();
  clients.push(connection);
  return connection;
}

beforeAll(async () => {
  redis = await RedisServer.start();
});
afterAll(async () => {
  for (const connection of clients) connection.disconnect();
  await redis.stop();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The cases botbuilder's own storage base tests check, run against the Redis storage and,
 * as a reference, MemoryStorage.
 */
describe.each(['redis', 'memory'] as const)('bot state storage (%s)', (kind) => {
  let storage: Storage;
  beforeAll(async () => {
    storage =
      kind === 'redis'
        ? new StateStoreStorage(new RedisStateStore(await client(), { prefix: `cases-${Date.now()}` }))
        : new MemoryStorage();
  });

  it('reads an unknown key as nothing', async () => {
    expect(await storage.read(['test/conversations/unknown'])).toEqual({});
  });

  it('creates items and reads them back with an eTag', async () => {
    await storage.write({ 'test/conversations/a': { count: 1 }, 'test/users/u': { language: 'de' } });
    const items = await storage.read(['test/conversations/a', 'test/users/u', 'test/conversations/missing']);
    expect(Object.keys(items).sort()).toEqual(['test/conversations/a', 'test/users/u']);
    expect(items['test/conversations/a']).toMatchObject({ count: 1 });
    expect(typeof items['test/conversations/a']!.eTag).toBe('string');
  });

  it('updates with the current eTag and refuses a stale one', async () => {
    await storage.write({ 'test/conversations/b': { count: 1 } });
    const first = (await storage.read(['test/conversations/b']))['test/conversations/b']!;
    await storage.write({ 'test/conversations/b': { ...first, count: 2 } });
    await expect(storage.write({ 'test/conversations/b': { ...first, count: 3 } })).rejects.toThrow(/eTag conflict/);
    expect((await storage.read(['test/conversations/b']))['test/conversations/b']).toMatchObject({ count: 2 });
  });

  it('overwrites whatever is there with eTag "*" or no eTag', async () => {
    await storage.write({ 'test/conversations/c': { count: 1 } });
    await storage.write({ 'test/conversations/c': { count: 5, eTag: '*' } });
    expect((await storage.read(['test/conversations/c']))['test/conversations/c']).toMatchObject({ count: 5 });
    await storage.write({ 'test/conversations/c': { count: 6 } });
    expect((await storage.read(['test/conversations/c']))['test/conversations/c']).toMatchObject({ count: 6 });
  });

  it('deletes items, and deleting an unknown key is not an error', async () => {
    await storage.write({ 'test/conversations/d': { count: 1 } });
    await storage.delete(['test/conversations/d', 'test/conversations/never']);
    expect(await storage.read(['test/conversations/d'])).toEqual({});
  });

  it('keeps nested objects and unicode intact', async () => {
    const value = {
      dialog: {
        v: 1,
        snapshot: { value: { helpdeskRequest: 'examDate' }, context: { slots: { fullName: 'José Müller 漢字 🙂' } } },
      },
    };
    await storage.write({ 'test/conversations/e': value });
    expect((await storage.read(['test/conversations/e']))['test/conversations/e']).toMatchObject(value);
  });
});

describe('Redis state specifics', () => {
  it('keys each conversation under a hash tag; idle conversations expire in a day, users in 90 days', async () => {
    const connection = await client();
    const store = new RedisStateStore(connection, { prefix: 'ttl' });
    await store.write([
      { key: 'msteams/conversations/a:b', value: { x: 1 } },
      { key: 'msteams/users/29:abc', value: { language: 'fr' } },
    ]);
    expect(store.redisKey('msteams/conversations/a:b')).toBe('ttl:state:{msteams/conversations/a:b}');
    const conversationTtl = await connection.ttl('ttl:state:{msteams/conversations/a:b}');
    const userTtl = await connection.ttl('ttl:state:{msteams/users/29:abc}');
    expect(conversationTtl).toBeGreaterThan(86_000);
    expect(conversationTtl).toBeLessThanOrEqual(86_400);
    expect(userTtl).toBeGreaterThan(89 * 86_400);
  });

  it('says the state is unavailable, quickly, when Redis is down, and works again when it is back', async () => {
    const store = new RedisStateStore(await client(), { prefix: 'down' });
    await redis.stop();
    await expect(store.read(['x/conversations/1'])).rejects.toBeInstanceOf(StateUnavailableError);
    await expect(store.write([{ key: 'x/conversations/1', value: { a: 1 } }])).rejects.toBeInstanceOf(
      StateUnavailableError,
    );
    await redis.resume();
    let written = false;
    for (let attempt = 0; attempt < 60 && !written; attempt++) {
      await sleep(100);
      written = await store.write([{ key: 'x/conversations/1', value: { a: 1 } }]).then(
        () => true,
        () => false,
      );
    }
    expect(written).toBe(true);
  });
});

describe.each(['redis', 'in-process'] as const)('one turn at a time per conversation (%s)', (kind) => {
  let gates: TurnGate[];
  const prefix = `gate-${kind}`;
  beforeAll(async () => {
    gates =
      kind === 'redis'
        ? [new RedisTurnGate(await client(), { prefix }), new RedisTurnGate(await client(), { prefix })]
        : [new InProcessTurnGate()];
  });

  /**
   * Resolves once `count` turns of the conversation have their place in its queue. In process a turn has it as
   * soon as it is called; in Redis once its ticket is taken (the queue's ticket counter in the conversation's
   * hash, read directly).
   */
  let observer: RedisClient | undefined;
  async function queued(conversation: string, count: number): Promise<void> {
    if (kind === 'in-process') return;
    observer ??= await client();
    for (let attempt = 0; Number(await observer.hget(`${prefix}:state:{${conversation}}`, 'n')) < count; attempt++) {
      if (attempt > 500) throw new Error(`turn ${count} of ${conversation} never took its place in the queue`);
      await sleep(2);
    }
  }

  it('runs ten turns in the order they arrived, losing no update, even when they arrive at two instances', async () => {
    const conversation = 'chat/conversations/ten';
    let shared = 0;
    const order: number[] = [];
    // The first turn is held until all ten have arrived, so the other nine really wait in the queue.
    let releaseFirst!: () => void;
    const firstHeld = new Promise<void>((resolve) => (releaseFirst = resolve));
    const runs: Array<Promise<{ duplicate: boolean; value?: number }>> = [];
    for (let index = 0; index < 10; index++) {
      runs.push(
        gates[index % gates.length]!.run(conversation, `activity-${index}`, async () => {
          if (index === 0) await firstHeld;
          const read = shared;
          await sleep(5);
          shared = read + 1;
          order.push(index);
          return index;
        }),
      );
      // Each arrives only once the one before has its place: the order of arrival is known, across instances too.
      await queued(conversation, index + 1);
    }
    releaseFirst();
    const results = await Promise.all(runs);
    expect(shared).toBe(10);
    expect(results.map((result) => (result.duplicate ? -1 : result.value))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('skips an activity it has already processed', async () => {
    const gate = gates[0]!;
    let runs = 0;
    expect(await gate.run('chat/conversations/dup', 'same', async () => ++runs)).toEqual({
      duplicate: false,
      value: 1,
    });
    expect(await gate.run('chat/conversations/dup', 'same', async () => ++runs)).toEqual({ duplicate: true });
    expect(runs).toBe(1);
  });

  it('skips an already processed activity whatever characters its digest holds', async () => {
    const gate = gates[0]!;
    // Digests are base64url: '-' and '_' among them must be matched as themselves.
    const ids = Array.from({ length: 400 }, (_, n) => `activity-${n}`);
    const id = ids.find((candidate) => activityDigest(candidate).includes('-'))!;
    expect(id).toBeDefined();
    let runs = 0;
    await gate.run('chat/conversations/dup-dash', id, async () => ++runs);
    expect(await gate.run('chat/conversations/dup-dash', id, async () => ++runs)).toEqual({ duplicate: true });
    expect(runs).toBe(1);
  });

  it('processes a redelivery when the first attempt failed', async () => {
    const gate = gates[0]!;
    await expect(
      gate.run('chat/conversations/retry', 'flaky', async () => Promise.reject(new Error('crashed mid-turn'))),
    ).rejects.toThrow('crashed mid-turn');
    expect(await gate.run('chat/conversations/retry', 'flaky', async () => 'done')).toEqual({
      duplicate: false,
      value: 'done',
    });
  });

  it('runs turns of different conversations side by side', async () => {
    const gate = gates[0]!;
    let running = 0;
    let most = 0;
    await Promise.all(
      ['x', 'y', 'z'].map((name) =>
        gate.run(`chat/conversations/${name}`, undefined, async () => {
          running += 1;
          most = Math.max(most, running);
          await sleep(30);
          running -= 1;
        }),
      ),
    );
    expect(most).toBe(3);
  });
});

describe('what a conversation keeps in Redis', () => {
  it('is one key, however many activities it handled, and still knows its recent ones', async () => {
    const connection = await client();
    const prefix = `compact-${Date.now()}`;
    const gate = new RedisTurnGate(connection, { prefix });
    const conversation = 'chat/conversations/many-activities';
    for (let index = 0; index < 40; index++) await gate.run(conversation, `activity-${index}`, async () => index);
    expect(await gate.run(conversation, 'activity-39', async () => 'again')).toEqual({ duplicate: true });
    expect(await connection.keys(`${prefix}:*`)).toEqual([`${prefix}:state:{${conversation}}`]);
  });
});

describe('a turn holder that dies', () => {
  it('does not leave the conversation stuck: the next turn runs once its lease expires', async () => {
    const connection = await client();
    const prefix = `dead-${Date.now()}`;
    // The "dead" instance: takes its ticket and never renews or releases it.
    await connection.hset(`${prefix}:state:{chat/conversations/crash}`, 'n', '1', 's', '1');
    await connection.set(`${prefix}:lease:{chat/conversations/crash}:1`, '1', 'PX', 300);
    const gate = new RedisTurnGate(connection, { prefix });
    expect(await gate.run('chat/conversations/crash', 'after-crash', async () => 'continued')).toEqual({
      duplicate: false,
      value: 'continued',
    });
  });
});
