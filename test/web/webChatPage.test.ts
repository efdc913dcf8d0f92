/// <reference lib="dom" />
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { loadConfig } from '../../src/config';
import { startBot, type RunningBot } from '../../src/index';
import { createLogger } from '../../src/logger';
import { ARTIFACTS, launchBrowser } from '../support/browser';
import { english } from '../support/helpers';
import { plain, send, shows, statusShows, text } from './pageHelpers';
import { RedisServer } from '../support/redisServer';

jest.setTimeout(90_000);

const transcript = (page: Page) => page.locator('.webchat__basic-transcript');

/** A suggested action as the candidate sees it (Web Chat also keeps a copy for screen readers). */
const suggested = (page: Page, title: string) =>
  page.locator('.webchat__suggested-actions').getByRole('button', { name: title });

const pageLanguageIs = (page: Page, language: string) =>
  page.waitForFunction((expected) => document.documentElement.lang === expected, language);

describe('the support-site page with the real Web Chat in Chromium', () => {
  let bot: RunningBot;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;

  beforeAll(async () => {
    bot = await startBot(loadConfig({ PORT: '0', HOST: '127.0.0.1' }), createLogger('silent'));
    browser = await launchBrowser('en-GB');
  });
  afterAll(async () => {
    await browser?.dispose();
    await bot?.close();
  });

  it('greets in the browser language, follows a button and typed text, switches language from the page', async () => {
    const page = await browser.newPage();
    page.setDefaultTimeout(20_000);
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${bot.url}/`);

    await pageLanguageIs(page, 'en');
    expect(await page.title()).toBe(text('en', 'web', 'title'));
    await shows(page, english('common:welcome'));

    // A suggested action is a real button in the page.
    await suggested(page, text('en', 'helpdesk', 'menu.choice.findCentre')).click();
    const finder = transcript(page).locator('a[href^="https://"]').last();
    await finder.waitFor();
    expect(await finder.getAttribute('target')).toBe('_blank');
    expect(await finder.getAttribute('rel')).toMatch(/noopener/);

    await send(page, 'I forgot my password');
    await shows(page, plain(text('en', 'helpdesk', 'forgotPassword.body')));

    await page.selectOption('#chat-language', 'de');
    await pageLanguageIs(page, 'de');
    expect(page.url()).toContain('lang=de');
    await page.getByRole('heading', { name: text('de', 'web', 'heading') }).waitFor();
    await shows(page, text('de', 'common', 'language.changed'));
    // Web Chat's own words follow too.
    await page.getByPlaceholder('Nachricht eingeben').waitFor();

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'web-chat.png'), fullPage: true });
    expect(errors).toEqual([]);
  });

  it('follows the bot when the candidate switches language by typing: header, placeholder, address', async () => {
    const page = await browser.newPage();
    page.setDefaultTimeout(20_000);
    await page.goto(`${bot.url}/?lang=en`);
    await shows(page, english('common:welcome'));
    await send(page, text('de', 'common', 'language.name'));
    await shows(page, text('de', 'common', 'language.changed'));
    await pageLanguageIs(page, 'de');
    await page.getByRole('heading', { name: text('de', 'web', 'heading') }).waitFor();
    await page.getByPlaceholder('Nachricht eingeben').waitFor();
    expect(await page.locator('#chat-language').inputValue()).toBe('de');
    expect(page.url()).toContain('lang=de');
  });

  it('opens in the language asked for in the address', async () => {
    const page = await browser.newPage();
    page.setDefaultTimeout(20_000);
    await page.goto(`${bot.url}/?lang=it`);
    await shows(page, text('it', 'common', 'welcome'));
    expect(await page.locator('html').getAttribute('lang')).toBe('it');
    expect(await page.locator('#chat-language').inputValue()).toBe('it');
  });

  it('shows what the candidate typed as text: HTML and javascript: links stay inert', async () => {
    const page = await browser.newPage();
    page.setDefaultTimeout(20_000);
    await page.goto(`${bot.url}/`);
    await shows(page, english('common:welcome'));
    const typed = '<img src=x onerror="window.pwned=1"><b>bold</b> [click me](javascript:window.pwned=2)';
    await send(page, typed);
    await shows(page, '<b>bold</b> [click me](javascript:window.pwned=2)');
    expect(await transcript(page).locator('img[src="x"], b').count()).toBe(0);
    expect(await transcript(page).locator('a[href^="javascript:"]').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
    // The bot still answers, and the page is still usable.
    await send(page, 'menu');
    await suggested(page, text('en', 'helpdesk', 'menu.choice.lockout')).waitFor();
  });

  it("serves Web Chat itself: no request leaves the bot's own origin; replies stream over its WebSocket", async () => {
    const page = await browser.newPage();
    page.setDefaultTimeout(20_000);
    const origins = new Set<string>();
    const streams: string[] = [];
    page.on('request', (request) => origins.add(new URL(request.url()).origin));
    page.on('websocket', (socket) => streams.push(socket.url()));
    await page.goto(`${bot.url}/`);
    await shows(page, english('common:welcome'));
    expect([...origins].filter((origin) => origin !== 'null')).toEqual([bot.url]);
    // Replies come over the bot's own WebSocket stream, which the page's CSP allows.
    expect(streams).toEqual([
      expect.stringMatching(
        new RegExp(`^${bot.url.replace('http', 'ws')}/v3/directline/conversations/[^/]+/stream\\?`),
      ),
    ]);
  });
});

describe('the page when the chat is briefly unavailable or the candidate posts too fast', () => {
  let redis: RedisServer;
  let bot: RunningBot;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;

  beforeAll(async () => {
    redis = await RedisServer.start();
    bot = await startBot(
      loadConfig({
        PORT: '0',
        HOST: '127.0.0.1',
        REDIS_URL: redis.url,
        TOKENS_PER_MINUTE: '1000',
        // The join event and two messages; the third message is one too many.
        DIRECT_LINE_POSTS_PER_MINUTE: '3',
      }),
      createLogger('silent'),
    );
    browser = await launchBrowser('fr-FR');
  });
  afterAll(async () => {
    await browser?.dispose();
    await bot?.close();
    await redis?.stop();
  });

  it('says so in the page language while Redis is out, then connects and chats by itself once it is back', async () => {
    await redis.stop();
    const page = await browser.newPage();
    page.setDefaultTimeout(30_000);
    const tokenAnswers: number[] = [];
    page.on('response', (response) => {
      if (response.url().endsWith('/api/directline/token')) tokenAnswers.push(response.status());
    });
    try {
      await page.goto(`${bot.url}/?lang=fr`);
      await statusShows(page, text('fr', 'web', 'unavailable'));
      expect(await page.getByRole('button', { name: text('fr', 'web', 'retry') }).isVisible()).toBe(false);
    } finally {
      await redis.resume();
    }
    // No reload: the page asks again after Retry-After, and the chat starts in French.
    await shows(page, text('fr', 'common', 'welcome'));
    expect(tokenAnswers[0]).toBe(503);
    expect(tokenAnswers.at(-1)).toBe(200);
    expect(await page.locator('#chat-status').isHidden()).toBe(true);
    await send(page, "J'ai oublié mon mot de passe");
    await shows(page, plain(text('fr', 'helpdesk', 'forgotPassword.body')));
  });

  it('asks politely to slow down when the conversation posts too fast', async () => {
    const page = await browser.newPage();
    page.setDefaultTimeout(30_000);
    await page.goto(`${bot.url}/?lang=de`);
    await shows(page, text('de', 'common', 'welcome'));
    await send(page, 'Ich habe mein Passwort vergessen');
    await shows(page, plain(text('de', 'helpdesk', 'forgotPassword.body')));
    await send(page, 'Menü');
    await send(page, 'Hallo');
    await statusShows(page, text('de', 'web', 'slowDown'));
  });
});

describe('the chat on another site, with the launcher script', () => {
  let bot: RunningBot;
  let site: Server;
  let siteUrl: string;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;

  beforeAll(async () => {
    // The support site: another origin, whose page only adds the script tag from the README.
    site = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(
        '<!doctype html><html lang="es"><head><title>Soporte</title></head>' +
          `<body><h1>Centro de soporte</h1><script src="${bot.url}/webchat/embed.js" defer></script></body></html>`,
      );
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
    bot = await startBot(
      loadConfig({ PORT: '0', HOST: '127.0.0.1', WEB_CHAT_FRAME_ANCESTORS: siteUrl }),
      createLogger('silent'),
    );
    browser = await launchBrowser('en-GB');
  });
  afterAll(async () => {
    await browser?.dispose();
    await bot?.close();
    await new Promise((resolve) => site.close(resolve));
  });

  it("shows a button in the site's language that opens and closes the chat", async () => {
    const page = await browser.newPage();
    page.setDefaultTimeout(20_000);
    await page.goto(`${siteUrl}/`);
    const launcher = page.getByRole('button', { name: text('es', 'web', 'open') });
    await launcher.waitFor();
    expect(await page.locator('iframe').count()).toBe(0);

    await launcher.click();
    const chat = page.frameLocator('iframe');
    await chat.locator('.webchat__basic-transcript').waitFor();
    const frame = page.frames().find((each) => each.url().startsWith(bot.url))!;
    await frame.waitForFunction(
      (expected) =>
        (document.querySelector('.webchat__basic-transcript')?.textContent ?? '')
          .replace(/[‘’]/g, "'")
          .includes(expected),
      text('es', 'common', 'welcome').split('.')[0]!.replace(/[‘’]/g, "'"),
    );
    const close = page.getByRole('button', { name: text('es', 'web', 'close') });
    expect(await close.getAttribute('aria-expanded')).toBe('true');
    await close.click();
    expect(await page.locator('iframe').isVisible()).toBe(false);
    mkdirSync(ARTIFACTS, { recursive: true });
    await launcher.click();
    await page.screenshot({ path: path.join(ARTIFACTS, 'web-chat-embedded.png') });

    // Escape closes the panel also while the candidate is typing in the chat (focus inside the frame).
    await chat.getByRole('textbox').last().click();
    await chat.getByRole('textbox').last().press('Escape');
    await page.waitForFunction(() => document.querySelector('iframe')?.style.display === 'none');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-expanded'))).toBe('false');
  });
});
