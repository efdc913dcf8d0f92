/// <reference lib="dom" />
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { startBot, type RunningBot } from '../../src/index';
import { createLogger } from '../../src/logger';
import { ARTIFACTS } from '../support/browser';
import { launchFirefox, type Firefox } from '../support/firefox';
import { english } from '../support/helpers';
import { button, pageErrors, showsInFirefox } from './firefoxPage';
import { plain, text } from './pageHelpers';

jest.setTimeout(90_000);

/** Whether a process is still there (a zombie waiting to be reaped counts as gone). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe('Firefox for the tests', () => {
  it('starts on a fresh profile and, once closed, leaves no process and no profile behind', async () => {
    const firefox = await launchFirefox('en-GB');
    const processes = firefox.processes();
    expect(processes.length).toBeGreaterThan(1);
    expect(processes.every(alive)).toBe(true);
    expect(existsSync(firefox.profile)).toBe(true);
    await firefox.dispose();
    expect(processes.filter(alive)).toEqual([]);
    expect(existsSync(firefox.profile)).toBe(false);
  });
});

describe('the support-site page with the real Web Chat in Firefox', () => {
  let bot: RunningBot;
  let firefox: Firefox;
  beforeAll(async () => {
    bot = await startBot(loadConfig({ PORT: '0', HOST: '127.0.0.1' }), createLogger('silent'));
    firefox = await launchFirefox('de-DE');
  });
  afterAll(async () => {
    await firefox?.dispose();
    await bot?.close();
  });

  it('greets in the browser language, follows a button and typed text, and asks nothing of the outside', async () => {
    const page = await firefox.newPage();
    const errors = await pageErrors(page);
    const origins = new Set<string>();
    page.on('request', (request) => origins.add(new URL(request.url()).origin));
    await page.goto(`${bot.url}/`);

    await page.waitForFunction(() => document.documentElement.lang === 'de');
    expect(await page.title()).toBe(text('de', 'web', 'title'));
    await showsInFirefox(page, text('de', 'common', 'welcome'));

    // A suggested action is a real button in the page, and a link the bot sends opens in a new tab.
    await (await button(page, text('de', 'helpdesk', 'menu.choice.findCentre'), '.webchat__suggested-actions')).click();
    const finder = await page.waitForSelector('.webchat__basic-transcript a[href^="https://"]');
    expect(await finder!.evaluate((link) => [link.getAttribute('target'), link.getAttribute('rel')])).toEqual([
      '_blank',
      expect.stringMatching(/noopener/),
    ]);

    const box = await page.waitForSelector('.webchat__send-box input, .webchat__send-box textarea');
    await box!.type('Ich habe mein Passwort vergessen');
    await box!.press('Enter');
    await showsInFirefox(page, plain(text('de', 'helpdesk', 'forgotPassword.body')));

    await page.select('#chat-language', 'en');
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    await showsInFirefox(page, english('common:language.changed'));
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'web-chat-firefox.png'), fullPage: true });

    expect(await errors()).toEqual([]);
    expect([...origins].filter((origin) => origin !== 'null')).toEqual([bot.url]);
    expect(firefox.outside).toEqual([]);
  });
});
