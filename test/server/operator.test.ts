import { loadConfig } from '../../src/config';
import { startBot, type RunningBot } from '../../src/index';
import { createLogger } from '../../src/logger';
import { Writable } from 'node:stream';
import pino from 'pino';
import { BotProcess } from '../support/botProcess';
import { tempFolder } from '../support/tempFolders';

describe('what an operator and a load balancer ask of the bot', () => {
  let bot: RunningBot;
  beforeAll(async () => {
    bot = await startBot(loadConfig({ PORT: '0', HOST: '127.0.0.1', TRUST_PROXY: 'true' }), createLogger('silent'));
  });
  afterAll(() => bot.close());

  it.each(['/', '/healthz', '/readyz'])('HEAD %s answers like GET, without a body', async (path) => {
    const [get, head] = await Promise.all([fetch(`${bot.url}${path}`), fetch(`${bot.url}${path}`, { method: 'HEAD' })]);
    expect(head.status).toBe(get.status);
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toBe(get.headers.get('content-type'));
    expect(await head.text()).toBe('');
  });

  it("builds the stream's address from X-Forwarded-Host and X-Forwarded-Port behind a trusted balancer", async () => {
    const streamUrl = async (forwarded: Record<string, string>) => {
      const { token } = (await (await fetch(`${bot.url}/api/directline/token`, { method: 'POST' })).json()) as {
        token: string;
      };
      const started = await fetch(`${bot.url}/v3/directline/conversations`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, ...forwarded },
      });
      return new URL(((await started.json()) as { streamUrl: string }).streamUrl).host;
    };
    // nginx with the common `proxy_set_header Host $host;` drops the port: X-Forwarded-Port brings it back.
    expect(
      await streamUrl({
        'x-forwarded-proto': 'https',
        'x-forwarded-host': 'chat.example.org',
        'x-forwarded-port': '8443',
      }),
    ).toBe('chat.example.org:8443');
    expect(await streamUrl({ 'x-forwarded-proto': 'https', 'x-forwarded-host': 'chat.example.org:9443' })).toBe(
      'chat.example.org:9443',
    );
    // The scheme's own port is left out, as a browser writes it.
    expect(
      await streamUrl({
        'x-forwarded-proto': 'https',
        'x-forwarded-host': 'chat.example.org',
        'x-forwarded-port': '443',
      }),
    ).toBe('chat.example.org');
    // A host that names its port keeps it.
    expect(await streamUrl({ 'x-forwarded-port': '8080' })).toBe(new URL(bot.url).host);
  });
});

describe('the page framed by a site the bot does not allow', () => {
  it('logs a warning naming WEB_CHAT_FRAME_ANCESTORS and the site, once per site', async () => {
    const lines: string[] = [];
    const logger = pino(
      { level: 'info' },
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(chunk.toString());
          done();
        },
      }),
    );
    const bot = await startBot(
      loadConfig({ PORT: '0', HOST: '127.0.0.1', WEB_CHAT_FRAME_ANCESTORS: 'https://support.example.org' }),
      logger,
    );
    try {
      const framedBy = (referer: string) =>
        fetch(`${bot.url}/?lang=it`, { headers: { 'sec-fetch-dest': 'iframe', referer } }).then((r) => r.text());
      await framedBy('https://support.example.org/help');
      await framedBy('https://intranet.example.com/page');
      await framedBy('https://intranet.example.com/other');
      await fetch(`${bot.url}/`).then((r) => r.text());
      const warnings = lines.filter((line) => line.includes('WEB_CHAT_FRAME_ANCESTORS') && line.includes('"level":40'));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain('https://intranet.example.com');
    } finally {
      await bot.close();
    }
  });
});

describe('starting the bot as npm start does', () => {
  it('prints one plain line with the chat page address, besides the JSON log lines', async () => {
    const bot = await BotProcess.start({ DATA_DIR: tempFolder('helpdesk-data-') });
    try {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const plain = bot.output.split('\n').filter((line) => line.trim() && !line.startsWith('{'));
      expect(plain).toEqual([`The helpdesk chat page is at ${bot.url}/ (the bot's endpoint: ${bot.url}/api/messages)`]);
    } finally {
      await bot.stop();
    }
  });
});
