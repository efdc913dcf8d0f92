import { once } from 'node:events';
import { createConnection, type Socket } from 'node:net';
import { loadConfig } from '../../src/config';
import { startBot, type RunningBot } from '../../src/index';
import { createLogger } from '../../src/logger';
import { content } from '../support/helpers';
import { HttpConversation } from '../support/httpConversation';
import { RedisServer } from '../support/redisServer';

/**
 * Watches every command Redis receives (MONITOR) and keeps those a client sent, not the commands that run
 * inside a script: each kept line is one command that crossed the network, so one round trip.
 */
class Monitor {
  readonly lines: string[] = [];
  private constructor(private readonly socket: Socket) {}

  static async start(port: number): Promise<Monitor> {
    const socket = createConnection(port, '127.0.0.1');
    await once(socket, 'connect');
    const monitor = new Monitor(socket);
    let buffer = '';
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      const lines = buffer.split('\r\n');
      buffer = lines.pop()!;
      for (const line of lines) if (/^\+\d+\.\d+ \[\d+ [^\]l][^\]]*\]/.test(line)) monitor.lines.push(line);
    });
    socket.write('MONITOR\r\n');
    await new Promise((resolve) => socket.once('data', resolve));
    return monitor;
  }

  /** Commands sent since `from` that name this conversation (its keys carry its id). */
  about(conversation: string, from: number): string[] {
    return this.lines.slice(from).filter((line) => line.includes(conversation));
  }

  /** Waits until Redis has reported everything sent before now (a PING from this connection comes back last). */
  async settle(): Promise<void> {
    const marker = `settle-${Date.now()}`;
    this.socket.write(`PING ${marker}\r\n`);
    for (let attempt = 0; attempt < 500 && !this.lines.some((line) => line.includes(marker)); attempt++)
      await new Promise((resolve) => setTimeout(resolve, 5));
  }

  stop(): void {
    this.socket.destroy();
  }
}

describe('the Redis round trips of a turn', () => {
  let redis: RedisServer;
  let bot: RunningBot;
  let monitor: Monitor;
  beforeAll(async () => {
    redis = await RedisServer.start();
    bot = await startBot(loadConfig({ PORT: '0', HOST: '127.0.0.1', REDIS_URL: redis.url }), createLogger('silent'));
    monitor = await Monitor.start(Number(new URL(redis.url).port));
  });
  afterAll(async () => {
    monitor.stop();
    await bot.close();
    await redis.stop();
  });

  it('takes two a turn: one to begin it (queue, redelivery, both states) and one to end it', async () => {
    // A first conversation loads the scripts and measures Redis's clock, which later turns do not repeat.
    const warm = new HttpConversation(bot.url, 'round-trips-warm-up');
    await warm.say('hi');
    await warm.send({ text: 'hi' });

    const { nodes, start } = content().dialog;
    const first = (nodes[start] as { choices: Array<{ goto: string }> }).choices[0]!.goto;
    const chat = new HttpConversation(bot.url, 'round-trips-counted');
    const counts: number[] = [];
    const turns: Array<() => Promise<unknown>> = [
      () => chat.say('hi'),
      () => chat.send({ value: { choice: 'probe', state: 'no-such-state' } }),
      () => chat.choose(first),
      () => chat.say('I still cannot get into my account'),
    ];
    for (const turn of turns) {
      await monitor.settle();
      const from = monitor.lines.length;
      await turn();
      await monitor.settle();
      counts.push(monitor.about('round-trips-counted', from).length);
    }
    expect(counts).toEqual(turns.map(() => 2));
  }, 30_000);
});
