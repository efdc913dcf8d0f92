import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { loadConfig } from '../../src/config';
import { startBot, type RunningBot } from '../../src/index';
import { createLogger } from '../../src/logger';
import { activity, postToBot as post } from '../support/activities';

const quiet = createLogger('silent');

/** A Bot Connector stand-in on this machine's non-loopback address: what would reach a stranger's server. */
async function strangerConnector(): Promise<{ server: Server; url: string; hits: string[] }> {
  const address = Object.values(networkInterfaces())
    .flat()
    .find((each) => each && each.family === 'IPv4' && !each.internal)?.address;
  expect(address).toBeDefined();
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(req.url ?? '');
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"id":"1"}');
  });
  await new Promise<void>((resolve) => server.listen(0, address, resolve));
  return { server, url: `http://${address}:${(server.address() as AddressInfo).port}/`, hits };
}

/** A message whose replies go to `serviceUrl` (not in the response body). */
function toServiceUrl(conversation: string, serviceUrl: string) {
  return { ...activity(conversation, { text: 'hello', serviceUrl }), deliveryMode: undefined };
}

describe('anonymous mode replies only to allowed serviceUrls', () => {
  let bot: RunningBot;
  let stranger: Awaited<ReturnType<typeof strangerConnector>>;
  beforeAll(async () => {
    stranger = await strangerConnector();
    bot = await startBot(loadConfig({ PORT: '0', HOST: '127.0.0.1' }), quiet);
  });
  afterAll(async () => {
    await bot.close();
    await new Promise((resolve) => stranger.server.close(resolve));
  });

  it('refuses a serviceUrl on another host with 403 naming it, and sends nothing there', async () => {
    const response = await post(bot.url, toServiceUrl('stranger', stranger.url));
    expect(response.status).toBe(403);
    expect(response.json).toMatchObject({ error: 'service_url_not_allowed' });
    expect(response.json!.message).toContain('"serviceUrl"');
    // Whatever the bot might still send would come right after its answer.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(stranger.hits).toEqual([]);
  });

  it('refuses a host that resolves nowhere, without trying it', async () => {
    const response = await post(bot.url, toServiceUrl('nowhere', 'http://bot-reply.invalid/'));
    expect(response.status).toBe(403);
    expect(response.json).toMatchObject({ error: 'service_url_not_allowed' });
  });

  it('refuses it even when the replies were asked for in the body', async () => {
    const response = await post(bot.url, activity('stranger-body', { text: 'hello', serviceUrl: stranger.url }));
    expect(response.status).toBe(403);
  });
});

describe('SERVICE_URL_ALLOWLIST extends the allowed serviceUrls', () => {
  let bot: RunningBot;
  let stranger: Awaited<ReturnType<typeof strangerConnector>>;
  beforeAll(async () => {
    stranger = await strangerConnector();
    bot = await startBot(
      loadConfig({ PORT: '0', HOST: '127.0.0.1', SERVICE_URL_ALLOWLIST: `emulator.example.org ${stranger.url}` }),
      quiet,
    );
  });
  afterAll(async () => {
    await bot.close();
    await new Promise((resolve) => stranger.server.close(resolve));
  });

  it('replies to a listed URL prefix', async () => {
    const response = await post(bot.url, toServiceUrl('listed', stranger.url));
    expect(response.status).toBe(200);
    const deadline = Date.now() + 10_000;
    while (stranger.hits.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(stranger.hits[0]).toMatch(/^\/v3\/conversations\/listed\/activities/);
  });

  it('still refuses a host that is not listed', async () => {
    const response = await post(bot.url, toServiceUrl('unlisted', 'https://elsewhere.example.org/'));
    expect(response.status).toBe(403);
  });
});

describe('ADMIN_PORT moves /readyz and /metrics off the public port', () => {
  let bot: RunningBot;
  beforeAll(async () => {
    bot = await startBot(loadConfig({ PORT: '0', HOST: '127.0.0.1', ADMIN_PORT: '0' }), quiet);
  });
  afterAll(async () => bot.close());

  it('serves them on the admin port only; the public port answers 404 and keeps /healthz', async () => {
    expect(bot.adminUrl).toBeDefined();
    expect(bot.adminUrl).not.toBe(bot.url);
    for (const path of ['/readyz', '/metrics']) {
      expect((await fetch(`${bot.url}${path}`)).status).toBe(404);
      expect((await fetch(`${bot.adminUrl}${path}`)).status).toBe(200);
    }
    expect(await (await fetch(`${bot.adminUrl}/metrics`)).text()).toContain('helpdesk_');
    expect((await fetch(`${bot.url}/healthz`)).status).toBe(200);
  });

  it('serves them on the public port when ADMIN_PORT is not set', async () => {
    const plain = await startBot(loadConfig({ PORT: '0', HOST: '127.0.0.1' }), quiet);
    try {
      expect(plain.adminUrl).toBeUndefined();
      for (const path of ['/readyz', '/metrics']) expect((await fetch(`${plain.url}${path}`)).status).toBe(200);
    } finally {
      await plain.close();
    }
  });
});
