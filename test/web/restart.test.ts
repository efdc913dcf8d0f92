/// <reference lib="dom" />
import { statSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { launchBrowser } from '../support/browser';
import { BotProcess } from '../support/botProcess';
import { freePort, RedisServer } from '../support/redisServer';
import { tempFolder } from '../support/tempFolders';
import { plain, send, shows, statusShows, text } from './pageHelpers';

jest.setTimeout(120_000);

/** The conversation ids of the page's streams, in the order it opened them. */
function streamConversations(page: Page): string[] {
  const ids: string[] = [];
  page.on('websocket', (socket) => ids.push(/conversations\/([^/]+)\/stream/.exec(socket.url())?.[1] ?? '?'));
  return ids;
}

const statusHidden = (page: Page) =>
  page.waitForFunction(() => document.getElementById('chat-status')?.hidden === true, undefined, { timeout: 20_000 });

describe('the page across a restart of the bot', () => {
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let bot: BotProcess | undefined;

  beforeAll(async () => {
    browser = await launchBrowser('en-GB');
  });
  afterEach(async () => {
    await bot?.stop();
    bot = undefined;
  });
  afterAll(async () => {
    await browser?.dispose();
  });

  it('with state in memory: says it is reconnecting, then starts a new chat in the same language', async () => {
    const port = String(await freePort());
    const dataDir = path.join(tempFolder('helpdesk-data-'), 'data');
    bot = await BotProcess.start({ PORT: port, DATA_DIR: dataDir });
    // The token key is kept where only the bot's user can read it.
    expect(readdirSync(dataDir)).toEqual(['direct-line-token-key']);
    expect(statSync(path.join(dataDir, 'direct-line-token-key')).mode & 0o777).toBe(0o600);

    const page = await browser.newPage();
    page.setDefaultTimeout(30_000);
    const streams = streamConversations(page);
    await page.goto(`${bot.url}/?lang=it`);
    await shows(page, text('it', 'common', 'welcome'));

    await bot.stop();
    await statusShows(page, text('it', 'web', 'reconnecting'));
    bot = await BotProcess.start({ PORT: port, DATA_DIR: dataDir });

    // The conversation was in the old process's memory: a new one starts, and the page says why.
    await statusShows(page, text('it', 'web', 'restarted'));
    expect(await page.locator('html').getAttribute('lang')).toBe('it');
    await send(page, text('it', 'helpdesk', 'menu.choice.forgotPassword'));
    await shows(page, plain(text('it', 'helpdesk', 'forgotPassword.body')));
    expect(new Set(streams).size).toBe(2);
  });

  it('with Redis: the same conversation carries on, with no restart notice', async () => {
    const redis = await RedisServer.start();
    try {
      const port = String(await freePort());
      const env = { PORT: port, REDIS_URL: redis.url, DATA_DIR: path.join(tempFolder('helpdesk-data-'), 'data') };
      bot = await BotProcess.start(env);
      const page = await browser.newPage();
      page.setDefaultTimeout(30_000);
      const streams = streamConversations(page);
      await page.goto(`${bot.url}/?lang=fr`);
      await shows(page, text('fr', 'common', 'welcome'));

      await bot.stop();
      await statusShows(page, text('fr', 'web', 'reconnecting'));
      // A message typed while the bot is down is reported as not sent, with Web Chat's "Retry", within seconds.
      const message = text('fr', 'helpdesk', 'menu.choice.forgotPassword');
      const typedAt = Date.now();
      await send(page, message);
      const retry = page.locator('.webchat__activity-status button');
      await retry.waitFor();
      process.stdout.write(`restart: a send with the bot down was reported failed after ${Date.now() - typedAt} ms\n`);
      bot = await BotProcess.start(env);
      await statusHidden(page);

      await retry.click();
      await shows(page, plain(text('fr', 'helpdesk', 'forgotPassword.body')));
      expect(await page.locator('.webchat__bubble--from-user').filter({ hasText: message }).count()).toBe(1);
      expect(await retry.count()).toBe(0);
      expect(new Set(streams).size).toBe(1);
      expect(streams.length).toBeGreaterThan(1);
      expect(await page.locator('#chat-status').textContent()).not.toContain(text('fr', 'web', 'restarted'));
    } finally {
      await bot?.stop();
      bot = undefined;
      await redis.stop();
    }
  });
});
