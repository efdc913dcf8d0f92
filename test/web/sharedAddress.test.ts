/// <reference lib="dom" />
import { loadConfig } from '../../src/config';
import { startBot, type RunningBot } from '../../src/index';
import { createLogger } from '../../src/logger';
import { launchBrowser } from '../support/browser';
import { shows, statusShows, text } from './pageHelpers';

jest.setTimeout(150_000);

/** Waits, or stops early with the signal's reason once the test that started the wait is over. */
const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason as Error)), { once: true });
  });

/**
 * What web/chat.js and web/directLine.js do to start a chat, over plain HTTP: ask for a token, and on 429/503 ask
 * again after Retry-After (at least a second, at most a minute); start the conversation, say hello with the
 * language, read until the bot's welcome. Resolves with the welcome and how many times the page was told to wait;
 * `signal` ends it early (the test is over, the bot is closing).
 */
async function pageOverHttp(
  botUrl: string,
  language: string,
  signal?: AbortSignal,
): Promise<{ welcome: string; waits: number }> {
  let waits = 0;
  let grant: { token: string } | undefined;
  while (!grant) {
    const response = await fetch(`${botUrl}/api/directline/token`, { method: 'POST', signal });
    if (response.status === 429 || response.status === 503) {
      waits += 1;
      const seconds = Number(response.headers.get('retry-after'));
      await sleep(Math.min(Math.max(seconds > 0 ? seconds : 5, 1), 60) * 1000, signal);
    } else if (response.ok) grant = (await response.json()) as { token: string };
    else throw new Error(`the token endpoint answered ${response.status}`);
  }
  const headers = { authorization: `Bearer ${grant.token}`, 'content-type': 'application/json' };
  const started = await fetch(`${botUrl}/v3/directline/conversations`, { method: 'POST', headers, signal });
  const { conversationId, token } = (await started.json()) as { conversationId: string; token: string };
  const base = `${botUrl}/v3/directline/conversations/${conversationId}/activities`;
  const authorized = { ...headers, authorization: `Bearer ${token}` };
  const join = { type: 'event', name: 'webchat/join', value: { language }, from: { id: 'page' } };
  const joined = await fetch(base, { method: 'POST', headers: authorized, body: JSON.stringify(join), signal });
  expect(joined.status).toBe(200);
  for (;;) {
    const set = (await (await fetch(`${base}?watermark=0`, { headers: authorized, signal })).json()) as {
      activities: Array<{ type: string; text?: string; from: { role?: string } }>;
    };
    const welcome = set.activities.find((each) => each.type === 'message' && each.from.role === 'bot')?.text;
    if (welcome) return { welcome, waits };
    await sleep(200, signal);
  }
}

const LANGUAGES = ['en', 'es', 'it', 'fr', 'de'];

describe('thirty chats from one address (a school or exam-centre room behind one NAT)', () => {
  let bot: RunningBot | undefined;
  afterEach(async () => {
    await bot?.close();
    bot = undefined;
  });

  it('with the default limits, all thirty start within the minute without being told to wait', async () => {
    bot = await startBot(loadConfig({ PORT: '0', HOST: '127.0.0.1' }), createLogger('silent'));
    const pages = await Promise.all(
      Array.from({ length: 30 }, (_, index) => pageOverHttp(bot!.url, LANGUAGES[index % 5]!)),
    );
    expect(pages.map((page) => page.waits)).toEqual(Array(30).fill(0));
    pages.forEach((page, index) => expect(page.welcome).toContain(text(LANGUAGES[index % 5]!, 'common', 'welcome')));
  });

  it('past the burst, the pages say the chat is busy, wait as told and all end up chatting', async () => {
    // A small bucket, so the test sees the limit: five at once, then one a second.
    bot = await startBot(
      loadConfig({ PORT: '0', HOST: '127.0.0.1', TOKEN_BURST: '5', TOKENS_PER_MINUTE: '60' }),
      createLogger('silent'),
    );
    const browser = await launchBrowser('en-GB');
    const testOver = new AbortController();
    // Twenty-seven pages over HTTP take the burst and queue up; three real pages open behind them.
    const overHttp = Promise.all(
      Array.from({ length: 27 }, (_, index) => pageOverHttp(bot!.url, LANGUAGES[index % 5]!, testOver.signal)),
    );
    try {
      await sleep(300);
      const real = await Promise.all(
        ['de', 'it', 'es'].map(async (language) => {
          const page = await browser.newPage();
          page.setDefaultTimeout(120_000);
          await page.goto(`${bot!.url}/?lang=${language}`);
          return { page, language };
        }),
      );
      // Busy, not broken: no reload button, no word of the candidate's internet. A token comes back every second
      // and one page may be first to it; the others, asking while the crowd holds the rest, are told to wait.
      const told = await Promise.any(
        real.map(({ page, language }) => statusShows(page, text(language, 'web', 'busy')).then(() => page)),
      );
      const language = real.find(({ page }) => page === told)!.language;
      expect(await told.getByRole('button', { name: text(language, 'web', 'retry') }).isVisible()).toBe(false);

      const pages = await overHttp;
      expect(pages.some((page) => page.waits > 0)).toBe(true);
      pages.forEach((page, index) => expect(page.welcome).toContain(text(LANGUAGES[index % 5]!, 'common', 'welcome')));
      for (const { page, language } of real) await shows(page, text(language, 'common', 'welcome'), 120_000);
    } finally {
      // A failed expectation above must not leave the crowd asking a closed bot during the next test file.
      testOver.abort(new Error('the test is over'));
      await overHttp.catch(() => undefined);
      await browser.dispose();
    }
  });
});
