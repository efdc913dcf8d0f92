/// <reference lib="dom" />
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../src/config';
import { startBot, type RunningBot } from '../../src/index';
import { createLogger } from '../../src/logger';
import { launchBrowser } from '../support/browser';
import { RedisServer } from '../support/redisServer';
import { plain, send, shows, text } from './pageHelpers';

jest.setTimeout(120_000);

/**
 * A small round-robin balancer in front of the instances, at the TCP level (so WebSocket upgrades pass as they
 * are), that tries the next instance when one refuses the connection, as nginx does by default. It remembers
 * which instance each connection went to and how the connection began.
 */
async function balancer(ports: number[]) {
  const connections: Array<{ port: number; start: string }> = [];
  let next = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.pause();
    const first = next++;
    const attempt = (tries: number) => {
      if (tries >= ports.length) return client.destroy();
      const port = ports[(first + tries) % ports.length]!;
      const upstream = connect(port, '127.0.0.1');
      upstream.once('error', () => attempt(tries + 1));
      upstream.once('connect', () => {
        upstream.removeAllListeners('error');
        upstream.on('error', () => client.destroy());
        client.on('error', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
        client.on('close', () => upstream.destroy());
        const entry = { port, start: '' };
        connections.push(entry);
        client.once('data', (chunk: Buffer) => (entry.start = chunk.toString('latin1', 0, 200)));
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      });
    };
    attempt(0);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('two instances on Redis behind a balancer, one of them stopped with a page open', () => {
  let redis: RedisServer;
  let instances: RunningBot[];
  let front: Awaited<ReturnType<typeof balancer>>;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;

  beforeAll(async () => {
    redis = await RedisServer.start();
    const config = () => loadConfig({ PORT: '0', HOST: '127.0.0.1', REDIS_URL: redis.url });
    instances = [await startBot(config(), createLogger('silent')), await startBot(config(), createLogger('silent'))];
    front = await balancer(instances.map((instance) => instance.port));
    browser = await launchBrowser('es-ES');
  });
  afterAll(async () => {
    await browser?.dispose();
    await front?.close();
    for (const instance of instances ?? []) await instance.close().catch(() => undefined);
    await redis?.stop();
  });

  it('the page says it is reconnecting, carries on on the other instance, and shows each message once', async () => {
    const page = await browser.newPage();
    page.setDefaultTimeout(30_000);
    await page.goto(`${front.url}/?lang=es`);
    await shows(page, text('es', 'common', 'welcome'));
    // Every state the status line takes, however briefly.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { statuses: string[] }).statuses = seen;
      const status = document.getElementById('chat-status')!;
      new MutationObserver(() => {
        if (!status.hidden) seen.push(status.getAttribute('data-state') ?? '');
      }).observe(status, { attributes: true });
    });

    const stream = front.connections.find((each) =>
      /^GET \/v3\/directline\/conversations\/[^/]+\/stream/.test(each.start),
    );
    expect(stream).toBeDefined();
    const stopped = instances.find((instance) => instance.port === stream!.port)!;
    const stoppedAt = Date.now();
    await stopped.close();

    const message = text('es', 'helpdesk', 'menu.choice.forgotPassword');
    await send(page, message);
    await shows(page, plain(text('es', 'helpdesk', 'forgotPassword.body')));
    const answeredMs = Date.now() - stoppedAt;
    expect(await page.evaluate(() => (window as unknown as { statuses: string[] }).statuses)).toContain('reconnecting');
    // Shown once, whichever instance got it and however often it was sent.
    expect(await page.locator('.webchat__bubble--from-user').filter({ hasText: message }).count()).toBe(1);
    // The figure for the record (no assertion on speed): from the stop to the answer on the screen.
    process.stdout.write(`balancer: answered ${answeredMs} ms after the instance holding the stream stopped\n`);
  });
});
