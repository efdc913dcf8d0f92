import { createServer, get, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { loadConfig } from '../../src/config';
import { startBot, type RunningBot } from '../../src/index';
import { createLogger } from '../../src/logger';
import { keepBrotli } from '../../src/server/compressedFiles';
import { webChatFiles } from '../../src/server/webChat';
import { BotProcess } from '../support/botProcess';
import { contentCopy } from '../support/helpers';
import { RedisServer } from '../support/redisServer';

jest.setTimeout(60_000);

const quiet = createLogger('silent');
const SECRET = 'direct-line-secret-that-must-stay-on-the-server';

const token = (url: string, headers: Record<string, string> = {}) =>
  fetch(`${url}/api/directline/token`, { method: 'POST', headers });

/** Stands in for Azure's Direct Line service: records the token requests, answers like the service. */
class DirectLineService {
  requests: Array<{ authorization?: string; body: unknown }> = [];
  failing = false;
  private constructor(private readonly server: Server) {}

  static async start(): Promise<DirectLineService> {
    const service = new DirectLineService(createServer());
    service.server.on('request', async (req: IncomingMessage, res) => {
      let body = '';
      for await (const chunk of req) body += chunk;
      service.requests.push({ authorization: req.headers.authorization, body: body ? JSON.parse(body) : undefined });
      if (service.failing || req.url !== '/v3/directline/tokens/generate') {
        res.writeHead(service.failing ? 500 : 404);
        res.end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          conversationId: 'conversation-from-the-service',
          token: 'token-from-the-service',
          expires_in: 3600,
        }),
      );
    });
    await new Promise<void>((resolve) => service.server.listen(0, '127.0.0.1', resolve));
    return service;
  }

  get domain(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v3/directline`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

describe('the page at / and its token endpoint, without a Direct Line secret', () => {
  let bot: RunningBot;
  beforeAll(async () => {
    bot = await startBot(loadConfig({ PORT: '0', HOST: '127.0.0.1', TOKEN_BURST: '3', TOKENS_PER_MINUTE: '3' }), quiet);
  });
  afterAll(() => bot.close());

  it("is in the language asked for, else the browser's first of the five, else English", async () => {
    const lang = async (path: string, acceptLanguage?: string) => {
      const html = await (
        await fetch(`${bot.url}${path}`, { headers: acceptLanguage ? { 'accept-language': acceptLanguage } : {} })
      ).text();
      return [/<html lang="(\w+)">/.exec(html)?.[1], /<title>([^<]*)<\/title>/.exec(html)?.[1]];
    };
    expect(await lang('/?lang=fr', 'de-DE')).toEqual(['fr', 'Assistance pour le compte de résultats']);
    expect(await lang('/', 'pl-PL,de-CH;q=0.9,en;q=0.8')).toEqual(['de', 'Hilfe zum Ergebniskonto']);
    expect(await lang('/?lang=xx', 'es')).toEqual(['es', 'Ayuda con la cuenta de resultados']);
    expect(await lang('/')).toEqual(['en', 'Results account helpdesk']);
  });

  it('is locked down: scripts only from the bot, framing only where configured, nothing cached', async () => {
    const response = await fetch(`${bot.url}/`);
    const policy = response.headers.get('content-security-policy')!;
    expect(policy).toMatch(/script-src 'self' 'nonce-[^']+'/);
    expect(policy).toContain("frame-ancestors 'self'");
    expect(response.headers.get('cache-control')).toBe('no-store');
    const html = await response.text();
    expect(html).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)/);
    expect(html).toMatch(/<script src="\/webchat\/webchat\.\w{12}\.js"/);
  });

  it("names each of the page's files by its content's hash, cached for a year; brotli as well as gzip", async () => {
    const html = await (await fetch(`${bot.url}/`)).text();
    const addresses = [...html.matchAll(/(?:src|href)="(\/webchat\/[^"]+)"/g)].map((match) => match[1]!);
    expect(addresses.map((address) => address.replace(/\.\w{12}\./, '.'))).toEqual([
      '/webchat/chat.css',
      '/webchat/markdown.js',
      '/webchat/directLine.js',
      '/webchat/chat.js',
      '/webchat/webchat.js',
    ]);
    for (const address of addresses) {
      const plain = Buffer.from(await (await fetch(`${bot.url}${address.replace(/\.\w{12}\./, '.')}`)).arrayBuffer());
      const hashed = await fetch(`${bot.url}${address}`);
      expect(hashed.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(Buffer.from(await hashed.arrayBuffer()).equals(plain)).toBe(true);
    }
    // Another version's address is not this version's file.
    const stale = addresses[4]!.replace(/\.(\w{12})\./, '.AAAAAAAAAAAA.');
    expect((await fetch(`${bot.url}${stale}`)).status).toBe(404);
    // Brotli once it is made (in the background, after the first request), smaller than gzip, the same bundle.
    let brotli: Buffer | undefined;
    while (!brotli) {
      const { encoding, body } = await rawGet(bot.url, addresses[4]!, 'br, gzip');
      if (encoding === 'br') brotli = body;
      else await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const gzip = await rawGet(bot.url, addresses[4]!, 'gzip');
    expect(gzip.encoding).toBe('gzip');
    expect(brotli.length).toBeLessThan(gzip.body.length);
    expect(brotliDecompressSync(brotli).equals(gunzipSync(gzip.body))).toBe(true);
  }, 60_000);

  it('serves the brotli `npm run build` made from the first request of a file', async () => {
    keepBrotli(Object.values(webChatFiles()).map((source) => source.file()));
    const fresh = await startBot(loadConfig({ PORT: '0', HOST: '127.0.0.1' }), quiet);
    try {
      const html = await (await fetch(`${fresh.url}/`)).text();
      const bundle = /<script src="(\/webchat\/webchat\.\w{12}\.js)"/.exec(html)![1]!;
      const first = await rawGet(fresh.url, bundle, 'br, gzip');
      expect(first.encoding).toBe('br');
      const gzip = await rawGet(fresh.url, bundle, 'gzip');
      expect(brotliDecompressSync(first.body).equals(gunzipSync(gzip.body))).toBe(true);
    } finally {
      await fresh.close();
    }
  }, 120_000);

  it('serves the official Web Chat bundle compressed, and revalidates it', async () => {
    const first = await fetch(`${bot.url}/webchat/webchat.js`, { headers: { 'accept-encoding': 'gzip' } });
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toMatch(/javascript/);
    const etag = first.headers.get('etag')!;
    const body = Buffer.from(await first.arrayBuffer());
    // fetch unzips on its own; the bundle defines window.WebChat.
    expect(body.toString('utf8')).toContain('renderWebChat');
    const again = await fetch(`${bot.url}/webchat/webchat.js`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    // Over the wire it is gzip, and unzips to the same bundle.
    const wire = await rawGet(bot.url, '/webchat/webchat.js', 'gzip');
    expect(wire.encoding).toBe('gzip');
    expect(gunzipSync(wire.body).equals(body)).toBe(true);
  });

  it('gives each visitor a local token for a fresh conversation, and limits how many per address', async () => {
    const grants = [];
    for (let i = 0; i < 3; i += 1) {
      const response = await token(bot.url);
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      grants.push(
        (await response.json()) as { token: string; conversationId: string; userId: string; expires_in: number },
      );
    }
    expect(new Set(grants.map((grant) => grant.conversationId)).size).toBe(3);
    for (const grant of grants)
      expect(grant).toEqual({
        token: expect.any(String),
        conversationId: expect.any(String),
        userId: expect.stringMatching(/^dl_/),
        expires_in: 1800,
      });
    const refused = await token(bot.url);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.json()).toEqual({
      error: 'rate_limited',
      message: expect.stringMatching(/^Too many chat sessions from this address; try again in \d+ seconds\.$/),
    });
  });
});

/** A file as it goes over the wire (node:http does not unpack it), with its content-encoding. */
function rawGet(url: string, path: string, acceptEncoding: string): Promise<{ encoding?: string; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(url);
    get({ hostname, port, path, headers: { 'accept-encoding': acceptEncoding } }, (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          ...(res.headers['content-encoding'] ? { encoding: res.headers['content-encoding'] } : {}),
          body: Buffer.concat(chunks),
        }),
      );
    }).on('error', reject);
  });
}

describe('the token endpoint with a Direct Line secret', () => {
  let service: DirectLineService;
  let bot: BotProcess;
  beforeAll(async () => {
    service = await DirectLineService.start();
    bot = await BotProcess.start({ DIRECT_LINE_SECRET: SECRET, DIRECT_LINE_DOMAIN: service.domain });
  });
  afterAll(async () => {
    await bot.stop();
    await service.close();
  });

  it('swaps the secret for a conversation token bound to a fresh dl_ user; never hands out the secret', async () => {
    const response = await token(bot.url);
    const text = await response.text();
    expect(response.status).toBe(200);
    expect(text).not.toContain(SECRET);
    const grant = JSON.parse(text) as { userId: string };
    expect(grant).toEqual({
      token: 'token-from-the-service',
      conversationId: 'conversation-from-the-service',
      userId: expect.stringMatching(/^dl_[A-Za-z0-9_-]{20,}$/),
      expires_in: 3600,
    });
    expect(service.requests.at(-1)).toEqual({
      authorization: `Bearer ${SECRET}`,
      body: { user: { id: grant.userId } },
    });

    // The page talks to the service directly, and is allowed to.
    const page = await fetch(`${bot.url}/`);
    const html = await page.text();
    expect(html).toContain(`"domain":"${service.domain}"`);
    expect(html).not.toContain(SECRET);
    expect(page.headers.get('content-security-policy')).toContain(
      `connect-src 'self' ${new URL(service.domain).origin}`,
    );
  });

  it('says the chat is unavailable when the service fails, and keeps the secret out of the logs', async () => {
    service.failing = true;
    const response = await token(bot.url);
    service.failing = false;
    expect(response.status).toBe(502);
    expect(await response.json()).toEqual({
      error: 'direct_line_unavailable',
      message: 'The chat service is not available right now; try again in a moment.',
    });
    // The child process writes its log line just after answering.
    while (!bot.output.includes('web chat token not issued')) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(bot.output).not.toContain(SECRET);
  });

  it('serves no local Direct Line endpoint', async () => {
    const response = await fetch(`${bot.url}/v3/directline/conversations`, { method: 'POST' });
    expect(response.status).toBe(404);
  });
});

describe('the page with texts a support lead wrote', () => {
  it('shows markup in a text as text, cannot end the page config early, and gives its scripts the nonce', async () => {
    const title = 'Results & "help" <b>now</b></script><script>alert(1)</script>';
    const copy = contentCopy();
    const english = path.join('locales', 'en', 'web.json');
    copy.edit(english, (text) => text.replace('"Results account helpdesk"', JSON.stringify(title)));
    const bot = await startBot(loadConfig({ PORT: '0', HOST: '127.0.0.1', CONTENT_DIR: copy.root }), quiet);
    try {
      const response = await fetch(`${bot.url}/?lang=en`);
      const html = await response.text();
      const escaped =
        'Results &#38; &#34;help&#34; &#60;b&#62;now&#60;/b&#62;' +
        '&#60;/script&#62;&#60;script&#62;alert(1)&#60;/script&#62;';
      expect(/<title>([^<]*)<\/title>/.exec(html)?.[1]).toBe(escaped);
      const config = /<script type="application\/json" id="chat-config">(.*?)<\/script>/.exec(html)?.[1];
      expect(JSON.parse(config!).texts.en.title).toBe(title);
      const nonce = /'nonce-([^']+)'/.exec(response.headers.get('content-security-policy')!)?.[1];
      const nonces = [...html.matchAll(/<script\b[^>]*>/g)].map(([tag]) => /nonce="([^"]*)"/.exec(tag)?.[1]);
      expect(nonces).toEqual([undefined, nonce, nonce, nonce, nonce]);
    } finally {
      await bot.close();
    }
  });
});

describe('the token limit behind a load balancer', () => {
  it("counts the address the balancer saw, not the client's X-Forwarded-For; streams over its https host", async () => {
    const bot = await startBot(
      loadConfig({ PORT: '0', HOST: '127.0.0.1', TRUST_PROXY: 'true', TOKEN_BURST: '1', TOKENS_PER_MINUTE: '1' }),
      quiet,
    );
    try {
      const via = (forwarded: string) =>
        token(bot.url, { 'x-forwarded-for': forwarded }).then((response) => response.status);
      expect(await via('203.0.113.7, 198.51.100.1')).toBe(200);
      // Forging a different first address does not buy another token.
      expect(await via('203.0.113.99, 198.51.100.1')).toBe(429);
      expect(await via('203.0.113.7, 198.51.100.2')).toBe(200);

      // Behind a TLS proxy, the page's stream goes to the public host over wss.
      const grant = (await (await token(bot.url, { 'x-forwarded-for': '203.0.113.8' })).json()) as { token: string };
      const started = await fetch(`${bot.url}/v3/directline/conversations`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${grant.token}`,
          'x-forwarded-proto': 'https',
          'x-forwarded-host': 'helpdesk.example.org',
        },
      });
      expect(((await started.json()) as { streamUrl: string }).streamUrl).toMatch(
        /^wss:\/\/helpdesk\.example\.org\/v3\/directline\/conversations\/[^/]+\/stream\?t=/,
      );
    } finally {
      await bot.close();
    }
  });
});

describe('the token limit with several instances sharing Redis', () => {
  let redis: RedisServer;
  let first: RunningBot;
  let second: RunningBot;
  beforeAll(async () => {
    redis = await RedisServer.start();
    const config = () =>
      loadConfig({ PORT: '0', HOST: '127.0.0.1', REDIS_URL: redis.url, TOKEN_BURST: '4', TOKENS_PER_MINUTE: '4' });
    first = await startBot(config(), quiet);
    second = await startBot(config(), quiet);
  });
  afterAll(async () => {
    await first.close();
    await second.close();
    await redis.stop();
  });

  it('counts one budget per address across the instances behind the load balancer', async () => {
    const statuses = [];
    for (const bot of [first, second, first, second, first]) statuses.push((await token(bot.url)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
  });
});
