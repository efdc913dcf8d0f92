import { createRedis, type RedisClient } from '../../src/state/redisConnection';
import { RedisStateStore } from '../../src/state/redisStateStore';
import { ETagConflictError, StateUnavailableError, type TurnFence } from '../../src/state/stateStore';
import { RedisTurnGate } from '../../src/state/turnGate';
import { RedisServer } from '../support/redisServer';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let redis: RedisServer;
let connection: RedisClient;
let store: RedisStateStore;
let gate: RedisTurnGate;
beforeAll(async () => {
  redis = await RedisServer.start();
  connection = createRedis({ url: redis.url });
  await connection.connect();
  store = new RedisStateStore(connection, { prefix: 'fenced' });
  gate = new RedisTurnGate(connection, { prefix: 'fenced' });
});
afterAll(async () => {
  redis.thaw();
  connection.disconnect();
  await redis.stop();
});

/** Freezes Redis for `ms` while `work` runs, and waits until it has woken and run what it had queued. */
async function whileFrozen<T>(ms: number, work: () => Promise<T>): Promise<PromiseSettledResult<T>> {
  redis.freeze();
  const thawed = sleep(ms).then(() => redis.thaw());
  const [outcome] = await Promise.allSettled([work()]);
  await thawed;
  await connection.ping();
  return outcome;
}

const stored = async (key: string) => (await store.read([key]))[key]?.value;

describe('a state write that Redis could not answer in time', () => {
  it('is refused inside Redis when it runs after the writer gave up, so it changes nothing later', async () => {
    const key = 'test/conversations/late-write/';
    await store.write([{ key, value: { step: 'before' } }]);
    const outcome = await whileFrozen(2000, () => store.write([{ key, value: { step: 'after' } }]));
    expect(outcome.status === 'rejected' && outcome.reason).toBeInstanceOf(StateUnavailableError);
    expect(await stored(key)).toEqual({ step: 'before' });
  });

  it('is not reported failed when its answer came but this process was too busy to read it in time', async () => {
    const key = 'test/conversations/busy-writer/';
    await store.write([{ key, value: { step: 'before' } }]);
    const writing = store.write([{ key, value: { step: 'after' } }]);
    // Let the write go out, then keep this process busy past the command timeout while Redis answers it.
    for (let hop = 0; hop < 20; hop++) await null;
    const until = Date.now() + 1500;
    while (Date.now() < until);
    const [outcome] = await Promise.allSettled([writing]);
    expect({ written: outcome.status === 'fulfilled', stored: await stored(key) }).toEqual({
      written: true,
      stored: { step: 'after' },
    });
  });

  it('leaves no ticket behind in the conversation queue that would hold up the next turn', async () => {
    const conversation = 'test/conversations/late-ticket/';
    const outcome = await whileFrozen(2000, () => gate.run(conversation, 'first', async () => 'ran'));
    expect(outcome.status).toBe('rejected');
    await expect(gate.run(conversation, 'second', async () => 'ran')).resolves.toEqual({
      duplicate: false,
      value: 'ran',
    });
  });
});

describe('a turn write fenced by its place in the conversation queue', () => {
  it('is written while the turn holds the conversation, and refused once it does not', async () => {
    const conversation = 'test/conversations/fenced/';
    let held: TurnFence | undefined;
    await gate.run(conversation, 'holder', async (fence) => {
      held = fence;
      await store.write([{ key: conversation, value: { step: 'mine' } }], fence);
    });
    expect(await stored(conversation)).toEqual({ step: 'mine' });
    // The turn is over and the next one may be served: its fence no longer lets anything in.
    await expect(store.write([{ key: conversation, value: { step: 'stale' } }], held)).rejects.toBeInstanceOf(
      StateUnavailableError,
    );
    expect(await stored(conversation)).toEqual({ step: 'mine' });
  });

  it('writes the conversation and the user state together or not at all', async () => {
    const conversation = 'test/conversations/both/';
    const user = 'test/users/both/';
    await store.write([{ key: user, value: { language: 'en' } }]);
    const { eTag } = (await store.read([user]))[user]!;
    await store.write([{ key: user, value: { language: 'de' } }]);
    await expect(
      store.write([
        { key: conversation, value: { step: 'new' } },
        { key: user, value: { language: 'fr' }, expected: eTag },
      ]),
    ).rejects.toBeInstanceOf(ETagConflictError);
    expect(await stored(conversation)).toBeUndefined();
    expect(await stored(user)).toEqual({ language: 'de' });
  });
});
