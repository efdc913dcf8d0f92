import Redis from 'ioredis';
import { createLogger } from '../../src/logger';
import { MemoryReminderStore, RedisReminderStore, Reminders, type Reminder } from '../../src/reminders/reminders';
import { RedisServer } from '../support/redisServer';

const quiet = createLogger('silent');
const reminder = (at: number, text: string, via: Reminder['via'] = 'channel'): Omit<Reminder, 'id'> => ({
  at,
  text,
  locale: 'en',
  via,
  conversation: { conversation: { id: 'c1' } },
});

/** Resolves when `count` reminders were sent, or with what was sent after `ms`. */
function collect(count: number, ms: number) {
  const sent: Array<Reminder & { sentAt: number }> = [];
  let done: (value: Array<Reminder & { sentAt: number }>) => void;
  const finished = new Promise<Array<Reminder & { sentAt: number }>>((resolve) => (done = resolve));
  const timer = setTimeout(() => done(sent), ms);
  return {
    send: async (one: Reminder) => {
      sent.push({ ...one, sentAt: Date.now() });
      if (sent.length === count) {
        clearTimeout(timer);
        // Give any duplicate a moment to show up.
        setTimeout(() => done(sent), 300);
      }
    },
    finished,
  };
}

describe('reminders', () => {
  it('are sent when due, not before, in order of their time', async () => {
    const reminders = new Reminders(new MemoryReminderStore(), quiet, 50);
    const { send, finished } = collect(2, 5000);
    reminders.start(send);
    await reminders.schedule(reminder(Date.now() + 400, 'second'));
    await reminders.schedule(reminder(Date.now() + 100, 'first'));
    await reminders.schedule(reminder(Date.now() + 60_000, 'much later'));
    const sent = await finished;
    await reminders.close();
    expect(sent.map((one) => one.text)).toEqual(['first', 'second']);
    for (const one of sent) expect(one.sentAt).toBeGreaterThanOrEqual(one.at);
  });

  it('a failed send is dropped and the others still go', async () => {
    const reminders = new Reminders(new MemoryReminderStore(), quiet, 50);
    const attempted: string[] = [];
    const { send, finished } = collect(1, 5000);
    reminders.start(async (one) => {
      attempted.push(one.text);
      if (one.text === 'broken') throw new Error('conversation gone');
      await send(one);
    });
    await reminders.schedule(reminder(Date.now(), 'broken'));
    await reminders.schedule(reminder(Date.now() + 10, 'fine'));
    const sent = await finished;
    await reminders.close();
    expect(sent.map((one) => one.text)).toEqual(['fine']);
    // Tried once, not again and again.
    expect(attempted).toEqual(['broken', 'fine']);
  });

  describe('in Redis', () => {
    let server: RedisServer;
    const clients: Redis[] = [];
    beforeAll(async () => {
      server = await RedisServer.start();
    });
    afterAll(async () => {
      for (const client of clients) client.disconnect();
      await server.stop();
    });
    const client = () => {
      const redis = new Redis(server.url);
      clients.push(redis);
      return redis;
    };

    it('each goes out once, whichever of several instances sees it due first', async () => {
      const { send, finished } = collect(20, 5000);
      const instances = [
        new Reminders(new RedisReminderStore(client()), quiet, 20),
        new Reminders(new RedisReminderStore(client()), quiet, 20),
        new Reminders(new RedisReminderStore(client()), quiet, 20),
      ];
      for (const instance of instances) instance.start(send);
      for (let i = 0; i < 20; i += 1) await instances[i % 3]!.schedule(reminder(Date.now() + 50, `reminder ${i}`));
      const sent = await finished;
      for (const instance of instances) await instance.close();
      expect(sent.map((one) => one.text).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `reminder ${i}`).sort());
    });

    it("keep those for the process's own web chat conversations with that process", async () => {
      const owner = collect(1, 5000);
      const other = collect(1, 1500);
      const mine = new Reminders(new RedisReminderStore(client()), quiet, 20);
      const theirs = new Reminders(new RedisReminderStore(client()), quiet, 20);
      mine.start(owner.send);
      theirs.start(other.send);
      await mine.schedule(reminder(Date.now() + 50, 'for a conversation only this process serves', 'local'));
      expect((await owner.finished).map((one) => one.text)).toEqual(['for a conversation only this process serves']);
      expect(await other.finished).toEqual([]);
      await mine.close();
      await theirs.close();
    });

    it('survive a restart of the bot: another instance sends what the first one scheduled', async () => {
      const before = new Reminders(new RedisReminderStore(client()), quiet, 20);
      await before.schedule(reminder(Date.now() + 200, 'kept'));
      await before.close();
      const { send, finished } = collect(1, 5000);
      const after = new Reminders(new RedisReminderStore(client()), quiet, 20);
      after.start(send);
      const sent = await finished;
      await after.close();
      expect(sent.map((one) => one.text)).toEqual(['kept']);
    });
  });
});
