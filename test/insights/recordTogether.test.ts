import { isFormNode } from '../../src/content/dialogSchema';
import { Insights, dayOf, type SeenTurn } from '../../src/insights/insights';
import { RedisInsightsStore, type TurnRecord } from '../../src/insights/store';
import { createLogger } from '../../src/logger';
import { createRedis, type RedisClient } from '../../src/state/redisConnection';
import { content } from '../support/helpers';
import { RedisServer } from '../support/redisServer';

let server: RedisServer;
let redis: RedisClient;
beforeAll(async () => {
  server = await RedisServer.start();
  redis = createRedis({ url: server.url });
  await redis.connect();
});
afterAll(async () => {
  redis.disconnect();
  await server.stop();
});

/** The Redis store, telling how many writes it was asked for (the edge the insights write through). */
class CountedStore extends RedisInsightsStore {
  writes = 0;

  override async record(turns: readonly TurnRecord[]): Promise<void> {
    this.writes++;
    await super.record(turns);
  }
}

/** Conversations walking the content's steps: each visits every message step of the dialog, in order. */
function walks(conversations: number): SeenTurn[] {
  const { dialog } = content();
  const steps = Object.entries(dialog.nodes).filter(([, node]) => !isFormNode(node));
  const turns: SeenTurn[] = [];
  for (const [index, [state]] of steps.entries())
    for (let n = 0; n < conversations; n++)
      turns.push({
        conversation: `walk-${n}`,
        channel: n % 2 ? 'directline' : 'msteams',
        result: {
          trace: { topic: state, state, locale: n % 3 ? 'en' : 'de', expecting: null },
          said: [`${state}.text`],
          heard: index === 0 ? 'button' : n % 2 ? 'model' : 'notUnderstood',
        },
      });
  return turns;
}

async function counted(record: (insights: Insights, turns: SeenTurn[]) => Promise<void>) {
  await redis.flushall();
  const store = new CountedStore(redis);
  const insights = new Insights({
    store,
    content,
    logger: createLogger('silent'),
    inbox: false,
    inboxDays: 30,
    abandonSeconds: 3600,
  });
  await record(insights, walks(12));
  await insights.close();
  const [day] = await store.days([dayOf(new Date())]);
  return { writes: store.writes, day };
}

describe('insights of turns answered in the same moment', () => {
  it('are written in one call, and count exactly as the same turns written one by one', async () => {
    const oneByOne = await counted(async (insights, turns) => {
      for (const turn of turns) {
        insights.record(turn);
        await insights.settled();
      }
    });
    const together = await counted(async (insights, turns) => {
      for (const turn of turns) insights.record(turn);
    });
    expect(oneByOne.writes).toBe(walks(12).length);
    expect(Object.keys(oneByOne.day!).length).toBeGreaterThan(3);
    expect(together).toEqual({ writes: 1, day: oneByOne.day });
  });
});
