import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { loadConfig } from '../../src/config';
import { startBot, type RunningBot } from '../../src/index';
import { createLogger } from '../../src/logger';
import { BotProcess, send, type Reply } from '../support/botProcess';
import { english, menuNumber } from '../support/helpers';
import { RedisServer } from '../support/redisServer';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The closed-centre form, answered up to the summary: ten turns, each changing the state. */
const STEPS = (n: number) => [
  'hi',
  menuNumber('centreClosed'),
  '1',
  `Candidate Number${n}`,
  'B2 First',
  '14/06/2025',
  `Centre ${n}`,
  `candidate${n}@example.org`,
  'ABC123456',
  '1234',
];

/**
 * Sends like a channel does: on no answer, redeliver the same activity (to whichever instance is up);
 * on "try again", try again.
 */
async function deliver(urls: () => string[], conversation: string, text: string, id: string): Promise<Reply> {
  for (let attempt = 0; attempt < 40; attempt++) {
    const choices = urls();
    const url = choices[attempt % choices.length]!;
    try {
      const reply = await send(url, conversation, text, id);
      if (reply.trace || reply.activities.length === 0) return reply;
    } catch {
      // the instance is gone: redeliver elsewhere
    }
    await sleep(250);
  }
  throw new Error(`no answer for ${conversation}: ${text}`);
}

async function inBatches<T>(items: T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  for (let start = 0; start < items.length; start += size)
    await Promise.all(items.slice(start, start + size).map(work));
}

describe('two bot instances sharing one Redis', () => {
  let redis: RedisServer;
  let a: BotProcess;
  let b: BotProcess;
  beforeAll(async () => {
    redis = await RedisServer.start();
    // Instances sharing the conversations share the key their secret answers are kept encrypted with.
    const env = { REDIS_URL: redis.url, STATE_ENCRYPTION_KEY: 'scaling-state-key-'.repeat(2) };
    [a, b] = await Promise.all([BotProcess.start(env), BotProcess.start(env)]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([a.stop('SIGKILL'), b.stop()]);
    await redis.stop();
  });

  it('carries 200 conversations alternating between them, and loses nothing when one is killed mid-run', async () => {
    const conversations = Array.from({ length: 200 }, (_, n) => n);
    let aAlive = true;
    for (let step = 0; step < STEPS(0).length; step++) {
      const killNow = step === 4;
      const batchWork = inBatches(conversations, 25, async (n) => {
        const useA = aAlive && (n + step) % 2 === 0;
        const urls = () => (useA && aAlive ? [a.url, b.url] : [b.url]);
        await deliver(urls, `scale-${n}`, STEPS(n)[step]!, `scale-${n}-step-${step}`);
      });
      if (killNow) {
        await sleep(40);
        await a.stop('SIGKILL');
        aAlive = false;
      }
      await batchWork;
    }
    let complete = 0;
    await inBatches(conversations, 25, async (n) => {
      const reply = await deliver(() => [b.url], `scale-${n}`, 'options', `scale-${n}-check`);
      if (
        reply.trace?.expecting === 'confirm' &&
        reply.text?.includes(`Candidate Number${n}`) &&
        reply.text.includes(`Centre ${n}`)
      )
        complete += 1;
    });
    expect(complete).toBe(200);
  }, 120_000);

  it('stops on SIGTERM after finishing the turns in progress, and exits 0', async () => {
    const inFlight = Array.from({ length: 20 }, (_, n) => send(b.url, `stopping-${n}`, 'hi'));
    await sleep(5);
    const exit = b.stop('SIGTERM');
    const answered = await Promise.allSettled(inFlight);
    expect(await exit).toBe(0);
    // Whatever had reached the bot before SIGTERM was answered in full; nothing got half an answer.
    for (const outcome of answered) if (outcome.status === 'fulfilled') expect(outcome.value.trace?.state).toBe('menu');
    expect(b.output).toContain('SIGTERM: finishing the turns in progress, then stopping');
  });
});

describe('one instance on Redis', () => {
  let redis: RedisServer;
  let bot: RunningBot;
  beforeAll(async () => {
    redis = await RedisServer.start({ persistent: true });
    bot = await startBot(loadConfig({ PORT: '0', HOST: '127.0.0.1', REDIS_URL: redis.url }), createLogger('silent'));
  });
  afterAll(async () => {
    await bot.close();
    await redis.stop();
  });

  it('answers ten messages sent at once to one conversation, one turn at a time, none lost', async () => {
    await send(bot.url, 'ten-at-once', 'hi');
    const before = (await bot.metrics.turns.get()).values.reduce((sum, value) => sum + value.value, 0);
    const replies = await Promise.all(
      Array.from({ length: 10 }, (_, index) => send(bot.url, 'ten-at-once', 'options', `ten-${index}`)),
    );
    expect(replies.map((reply) => reply.trace?.state)).toEqual(Array(10).fill('menu'));
    const after = (await bot.metrics.turns.get()).values.reduce((sum, value) => sum + value.value, 0);
    expect(after - before).toBe(10);
  });

  it('acknowledges a redelivered activity without processing it again', async () => {
    await send(bot.url, 'redelivery', 'hi');
    const first = await send(bot.url, 'redelivery', menuNumber('lockout'), 'redelivered-activity');
    const again = await send(bot.url, 'redelivery', menuNumber('lockout'), 'redelivered-activity');
    expect(first.trace?.state).toBe('lockout');
    expect(again.activities).toEqual([]);
    expect((await send(bot.url, 'redelivery', 'options')).trace?.state).toBe('lockout');
  });

  it('keeps answering while Redis is down, saying so in the user language; state intact once it is back', async () => {
    const conversations = Array.from({ length: 20 }, (_, n) => n);
    for (let step = 0; step < 5; step++)
      await Promise.all(conversations.map((n) => send(bot.url, `outage-${n}`, STEPS(n)[step]!)));
    expect((await fetch(`${bot.url}/readyz`)).status).toBe(200);

    await redis.stop();
    const during = await Promise.all(conversations.map((n) => send(bot.url, `outage-${n}`, STEPS(n)[5]!)));
    for (const reply of during) {
      expect(reply.status).toBe(200);
      expect(reply.text).toContain('please try again in a moment');
      expect(reply.text).toContain('https://candidates.cambridgeenglish.org');
    }
    const german = await fetch(`${bot.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'message',
        text: 'hallo',
        locale: 'de-DE',
        channelId: 'directline',
        serviceUrl: 'http://127.0.0.1:9/',
        conversation: { id: 'outage-de' },
        from: { id: 'u' },
        recipient: { id: 'bot' },
        deliveryMode: 'expectReplies',
      }),
    });
    expect(JSON.stringify(await german.json())).toContain('bitte versuchen Sie es gleich noch einmal');
    const notReady = await fetch(`${bot.url}/readyz`);
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toEqual({ status: 'not ready', checks: { content: true, redis: false } });
    expect((await fetch(`${bot.url}/healthz`)).status).toBe(200);

    await redis.resume();
    for (let attempt = 0; attempt < 60 && (await fetch(`${bot.url}/readyz`)).status !== 200; attempt++)
      await sleep(100);
    for (let step = 5; step < STEPS(0).length; step++)
      await Promise.all(conversations.map((n) => send(bot.url, `outage-${n}`, STEPS(n)[step]!)));
    const finals = await Promise.all(conversations.map((n) => send(bot.url, `outage-${n}`, 'options')));
    finals.forEach((reply, n) => {
      expect(reply.trace?.expecting).toBe('confirm');
      expect(reply.text).toContain(`Candidate Number${n}`);
    });
    const metrics = await (await fetch(`${bot.url}/metrics`)).text();
    expect(metrics).toMatch(/helpdesk_state_errors_total\{kind="unavailable"\} [1-9]/);
  }, 60_000);

  it('publishes Prometheus metrics: turn latency, turns by topic and language, breaker state', async () => {
    const metrics = await (await fetch(`${bot.url}/metrics`)).text();
    expect(metrics).toContain('helpdesk_turn_duration_seconds_bucket{le="0.05"}');
    expect(metrics).toMatch(/helpdesk_turns_total\{topic="centreClosed",language="en"\} \d+/);
    expect(metrics).toContain('helpdesk_account_service_breaker_state 0');
    expect(metrics).toContain('helpdesk_process_resident_memory_bytes');
  });
});

describe('a three-node Redis Cluster', () => {
  const nodes: RedisServer[] = [];
  let bot: RunningBot;
  beforeAll(async () => {
    for (let n = 0; n < 3; n++) nodes.push(await RedisServer.startClusterNode());
    const ports = nodes.map((node) => node.port);
    await run('redis-cli', [
      '--cluster',
      'create',
      ...ports.map((port) => `127.0.0.1:${port}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ]);
    // Every node must see the cluster whole (slots assigned, nodes agreed) before the bot connects to it.
    const whole = async () => {
      for (const port of ports) {
        const { stdout } = await run('redis-cli', ['-p', String(port), 'cluster', 'info']);
        if (!stdout.includes('cluster_state:ok')) return false;
      }
      return true;
    };
    for (let attempt = 0; !(await whole()); attempt++) {
      if (attempt === 300) throw new Error('the three-node cluster did not come up whole within 30 s');
      await sleep(100);
    }
    bot = await startBot(
      loadConfig({
        PORT: '0',
        HOST: '127.0.0.1',
        REDIS_CLUSTER_NODES: ports.map((port) => `127.0.0.1:${port}`).join(','),
      }),
      createLogger('silent'),
    );
  }, 60_000);
  afterAll(async () => {
    await bot?.close();
    for (const node of nodes) await node.stop();
  });

  it('holds whole conversations end to end, account service included', async () => {
    for (let n = 0; n < 5; n++) {
      await send(bot.url, `cluster-${n}`, 'hi');
      await send(bot.url, `cluster-${n}`, english('menu.choice.lockout'));
      await send(bot.url, `cluster-${n}`, english('lockout.choice.check'));
      await send(bot.url, `cluster-${n}`, 'SIR094701');
      const reply = await send(bot.url, `cluster-${n}`, '8482');
      expect(reply.trace?.state).toBe('lockoutLocked');
    }
    expect(await (await fetch(`${bot.url}/readyz`)).json()).toEqual({
      status: 'ready',
      checks: { content: true, redis: true },
    });
  });
});
