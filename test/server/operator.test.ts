import { loadConfig } from '../../src/config';
import { startBot, type RunningBot } from '../../src/index';
import { createLogger } from '../../src/logger';

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
