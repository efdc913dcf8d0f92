import { readdirSync, readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import path from 'node:path';
import { isFormNode } from '../../src/content/dialogSchema';
import { NOTICES } from '../../src/dialog/systemKeys';
import { CountingRules } from '../../src/insights/events';
import { Insights, type SeenTurn } from '../../src/insights/insights';
import { FileInsightsStore, RedisInsightsStore, type InsightsStore } from '../../src/insights/store';
import { createLogger } from '../../src/logger';
import { createRedis, type RedisClient } from '../../src/state/redisConnection';
import { ACCOUNTS, Chat, content, engine } from '../support/helpers';
import { RedisServer } from '../support/redisServer';
import { tempFolder } from '../support/tempFolders';

/** A clock the test moves: insights read the time from it, the bot's own clock stays where it is. */
class Clock {
  constructor(public time: Date) {}
  readonly now = (): Date => this.time;
  set(iso: string): void {
    this.time = new Date(iso);
  }
}

/** A chat with the real engine whose every turn is recorded by insights, as the bot's turn observer does. */
class RecordedChat extends Chat {
  constructor(
    private readonly insights: Insights,
    id: string,
    locale = 'en-GB',
  ) {
    super(engine(), locale);
    this.conversationId = id;
  }

  async seen(turn: Promise<unknown>, text?: string): Promise<void> {
    await turn;
    const seen: SeenTurn = { conversation: this.conversationId, channel: 'directline', result: this.last };
    this.insights.record(text === undefined ? seen : { ...seen, text });
    await this.insights.settled();
  }

  typed(text: string): Promise<void> {
    return this.seen(this.say(text), text);
  }

  chose(id: string): Promise<void> {
    return this.seen(this.choose(id));
  }
}

/** The Portuguese message the conversation tests use for a language the bot does not speak. */
function unsupportedMessage(): string {
  const script = readFileSync(path.join(__dirname, '..', 'conversations', 'unsupported-language.yaml'), 'utf8');
  return /type: "([^"]+)"/.exec(script)![1]!;
}

function insightsOn(store: InsightsStore, clock: Clock): Insights {
  return new Insights({
    store,
    content,
    logger: createLogger('silent'),
    inbox: true,
    inboxDays: 30,
    abandonSeconds: 1800,
    now: clock.now,
  });
}

const stores: Array<[string, () => Promise<{ store: InsightsStore; done: () => Promise<void> }>]> = [
  ['the data folder', async () => ({ store: new FileInsightsStore(tempFolder('insights-')), done: async () => {} })],
  [
    'Redis',
    async () => {
      const server = await RedisServer.start();
      const redis = createRedis({ url: server.url });
      await redis.connect();
      return {
        store: new RedisInsightsStore(redis),
        done: async () => {
          redis.disconnect();
          await server.stop();
        },
      };
    },
  ],
];

describe.each(stores)('insights counting, stored in %s', (_name, open) => {
  let store: InsightsStore;
  let done: () => Promise<void>;
  beforeEach(async () => ({ store, done } = await open()));
  afterEach(async () => {
    await store.close();
    await done();
  });

  it('files a message in a language the bot does not speak under "other", never as English', async () => {
    const clock = new Clock(new Date('2026-05-04T10:00:00Z'));
    const insights = insightsOn(store, clock);
    const chat = new RecordedChat(insights, 'unsupported');
    const message = unsupportedMessage();
    await chat.typed(message);
    expect(chat.last.said).toContain(NOTICES.unsupportedLanguage);
    const report = await insights.report('2026-05-04', '2026-05-04');
    expect(report.byLanguage).toEqual({ other: 1 });
    const inbox = await insights.inbox();
    expect(inbox.map(({ language, count }) => ({ language, count }))).toEqual([{ language: 'other', count: 1 }]);
  });

  it('counts a conversation on the day it started and each outcome once, on the day it happened', async () => {
    const { dialog } = content();
    const clock = new Clock(new Date('2026-05-04T23:58:00Z'));
    const insights = insightsOn(store, clock);
    const chat = new RecordedChat(insights, 'midnight');
    await chat.seen(chat.open());
    await chat.chose('lockout');
    await chat.chose('lockoutCheck');
    const account = ACCOUNTS.find((each) => each.lockedUntil)!;
    await chat.seen(chat.say(account.idNumber));
    // Past midnight: the conversation goes on, reaches another step of the same topic and an outcome.
    clock.set('2026-05-05T00:01:00Z');
    await chat.seen(chat.say(account.secretNumber));
    expect(chat.last.trace.state).toBe('lockoutLocked');
    await chat.chose('solved');
    expect(chat.last.trace.state).toBe('solved');
    expect(dialog.nodes.solved).toBeDefined();

    const [first, second] = (await insights.report('2026-05-04', '2026-05-05')).days;
    expect(first).toMatchObject({ day: '2026-05-04', conversations: 1, byLanguage: { en: 1 } });
    expect(second).toMatchObject({ day: '2026-05-05', conversations: 0, byLanguage: {} });
    const day = async (date: string) => insights.report(date, date);
    const [before, after] = [await day('2026-05-04'), await day('2026-05-05')];
    expect(before.funnel).toEqual({ lockout: { entered: 1, answered: 1, solved: 0, escalated: 0 } });
    expect(before.byTopic).toEqual({ lockout: 1 });
    expect(after.funnel).toEqual({ lockout: { entered: 0, answered: 0, solved: 1, escalated: 0 } });
    expect(after.byTopic).toEqual({});
    expect(after.outcomes).toMatchObject({ lockChecks: 1, solved: 1 });
    expect(before.outcomes).toMatchObject({ lockChecks: 0, solved: 0 });
    // Every message is counted on its own day.
    expect(before.understanding.buttons + after.understanding.buttons).toBe(3);
  });

  it('counts an abandoned conversation once, on the day of its last message', async () => {
    const clock = new Clock(new Date('2026-05-04T23:50:00Z'));
    const insights = insightsOn(store, clock);
    const chat = new RecordedChat(insights, 'abandoned');
    await chat.seen(chat.open());
    await chat.chose('forgotPassword');
    clock.set('2026-05-05T01:00:00Z');
    expect(await insights.sweep()).toBe(1);
    expect(await insights.sweep()).toBe(0);
    const before = await insights.report('2026-05-04', '2026-05-04');
    expect(before.outcomes.abandoned).toBe(1);
    expect(before.stops).toEqual([{ step: 'forgotPassword', count: 1 }]);
    // The candidate comes back the next day and leaves again: still one conversation, abandoned once.
    await chat.chose('lostEmail');
    clock.set('2026-05-05T03:00:00Z');
    await insights.sweep();
    const report = await insights.report('2026-05-04', '2026-05-05');
    expect({ conversations: report.conversations, abandoned: report.outcomes.abandoned }).toEqual({
      conversations: 1,
      abandoned: 1,
    });
  });
});

describe('the funnel: entered, answered', () => {
  const rules = () => new CountingRules(content().dialog);

  it('enters a topic at any of its steps, and is answered only when one of its message steps is shown', async () => {
    const { dialog } = content();
    const chat = new Chat(engine());
    const counted = () =>
      rules().count({
        channel: 'directline',
        language: 'en',
        topic: chat.last.trace.topic,
        state: chat.last.trace.state,
        said: chat.last.said,
      }).once;
    await chat.open();
    await chat.choose('lockout');
    const lockout = dialog.nodes.lockout!;
    if (isFormNode(lockout)) throw new Error('lockout is a message step');
    expect(chat.last.said).toEqual(expect.arrayContaining(lockout.say));
    expect(counted()).toEqual(expect.arrayContaining(['funnel:lockout:entered', 'funnel:lockout:answered']));
    // A message the bot does not understand: it stays in the step without showing it again. Not "answered".
    await chat.say('wibble plonk quaxxle');
    expect(chat.last.trace.state).toBe('lockout');
    expect(chat.last.said).not.toContain(lockout.say[0]);
    expect(counted()).toContain('funnel:lockout:entered');
    expect(counted()).not.toContain('funnel:lockout:answered');
    // A form asks questions: entered, not answered.
    await chat.choose('lockoutCheck');
    expect(counted()).toContain('funnel:lockout:entered');
    expect(counted()).not.toContain('funnel:lockout:answered');
  });
});

describe('the Redis scripts of insights (Redis Cluster: one slot, every key declared)', () => {
  let server: RedisServer;
  let redis: RedisClient;
  beforeAll(async () => {
    server = await RedisServer.start();
    redis = createRedis({ url: server.url });
    await redis.connect();
  });
  afterAll(async () => {
    redis?.disconnect();
    await server?.stop();
  });

  it('touch only the keys they are given in KEYS, all under one hash tag', async () => {
    const watcher = new Redis(server.url);
    const monitor = await watcher.monitor();
    const commands: string[][] = [];
    monitor.on('monitor', (_time: string, args: string[], source: string) => {
      if (/lua/.test(source) || /^eval/i.test(args[0] ?? '')) commands.push(args);
    });
    const clock = new Clock(new Date('2026-05-04T23:50:00Z'));
    const insights = insightsOn(new RedisInsightsStore(redis), clock);
    const chat = new RecordedChat(insights, 'declared');
    await chat.seen(chat.open());
    await chat.typed('wibble plonk quaxxle');
    await chat.chose('forgotPassword');
    clock.set('2026-05-05T01:00:00Z');
    expect(await insights.sweep()).toBe(1);
    // Turns of several conversations answered in the same moment go to the store in one script call.
    const together = ['first', 'second', 'third'].map((id) => new RecordedChat(insights, `together-${id}`));
    for (const each of together) await each.open();
    for (const each of together)
      insights.record({ conversation: each.conversationId, channel: 'msteams', result: each.last });
    await insights.settled();
    // The monitor reports asynchronously: a last command marks the end.
    const ended = new Promise<void>((resolve) =>
      monitor.on('monitor', (_time: string, args: string[]) => {
        if (args[0]?.toLowerCase() === 'ping' && args[1] === 'end') resolve();
      }),
    );
    await redis.ping('end');
    await ended;
    monitor.disconnect();
    watcher.disconnect();

    const scripts = commands.filter((args) => /^eval/i.test(args[0]!));
    expect(scripts.length).toBeGreaterThanOrEqual(4);
    const problems: string[] = [];
    let declared: string[] = [];
    for (const args of commands) {
      if (/^eval/i.test(args[0]!)) {
        declared = args.slice(3, 3 + Number(args[2]));
        for (const key of declared) if (!key.startsWith('{insights}:')) problems.push(`${key}: not under the tag`);
        continue;
      }
      const keys = (await redis.call('COMMAND', 'GETKEYS', ...args).catch(() => [])) as string[];
      for (const key of keys)
        if (!declared.includes(key)) problems.push(`${args[0]} ${key}: not in KEYS [${declared.join(', ')}]`);
    }
    expect(problems).toEqual([]);
    // The call with the three turns: the shared keys, then a day and a conversation's marks for each turn.
    expect(scripts.map((args) => Number(args[2]))).toContain(2 + 3 * 2);
    await insights.close();
  });
});

describe('the data folder store, two processes on one folder by mistake', () => {
  it('never leaves a half-written file: the last to write wins, whole', async () => {
    const folder = tempFolder('insights-shared-');
    const clock = new Clock(new Date('2026-05-04T10:00:00Z'));
    const [first, second] = [new FileInsightsStore(folder), new FileInsightsStore(folder)];
    for (const [store, id] of [
      [first, 'first'],
      [second, 'second'],
    ] as const) {
      const insights = insightsOn(store, clock);
      const chat = new RecordedChat(insights, id);
      await chat.seen(chat.open());
      await chat.chose(id === 'first' ? 'lockout' : 'forgotPassword');
    }
    await first.close();
    await second.close();
    // Only the file itself is left (no temporary file), and it reads: the second's counts, written last.
    expect(readdirSync(folder)).toEqual(['insights.json']);
    const kept = new FileInsightsStore(folder);
    const [counts] = await kept.days(['2026-05-04']);
    expect(counts).toMatchObject({ conversations: 1, 'topic:forgotPassword': 1 });
    expect(counts!['topic:lockout']).toBeUndefined();
    await kept.close();
  });
});
