/// <reference lib="dom" />
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { LANGUAGES } from '../../src/dialog/languages';
import { ARTIFACTS } from '../support/browser';
import { botAndBrowser, send, shows, text } from './pageHelpers';

jest.setTimeout(180_000);

const SIZES = { phone: { width: 390, height: 844 }, desktop: { width: 1280, height: 800 } };

/** What the candidate cannot read in full: each problem named, so a failure says where. */
async function clipped(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const width = window.innerWidth;
    const height = window.innerHeight;
    const name = (element: Element) => (element.textContent ?? '').trim().slice(0, 40);
    // The newest bot message starts below the header and, when it fits, ends above the buttons and the box.
    const scrollable = document.querySelector('.webchat__basic-transcript__scrollable')!.getBoundingClientRect();
    const header = document.querySelector('header')!.getBoundingClientRect();
    const bubbles = Array.from(document.querySelectorAll('.webchat__bubble:not(.webchat__bubble--from-user)'));
    const newest = bubbles.at(-1)?.querySelector('.webchat__bubble__content');
    if (!newest) problems.push('no bot message');
    else {
      const box = newest.getBoundingClientRect();
      if (box.top < Math.max(scrollable.top, header.bottom) - 1) problems.push(`message top hidden: ${name(newest)}`);
      if (box.height <= scrollable.height && box.bottom > scrollable.bottom + 1)
        problems.push(`message bottom hidden: ${name(newest)}`);
    }
    // Every button: its title in full (no "…"), and inside the page once scrolled to.
    for (const button of Array.from(document.querySelectorAll<HTMLElement>('.webchat__suggested-actions button'))) {
      if (button.closest('[aria-hidden="true"]') || button.offsetParent === null) continue;
      button.scrollIntoView({ block: 'nearest', inline: 'nearest' });
      const box = button.getBoundingClientRect();
      for (const part of [button, ...Array.from(button.querySelectorAll<HTMLElement>('*'))])
        if (part.scrollWidth > part.clientWidth + 1 && getComputedStyle(part).overflowX !== 'visible')
          problems.push(`title cut: ${name(button)}`);
      if (box.left < -1 || box.right > width + 1 || box.top < -1 || box.bottom > height + 1)
        problems.push(`button outside the page: ${name(button)}`);
    }
    return [...new Set(problems)];
  });
}

async function check(page: Page, file: string): Promise<void> {
  await page.waitForTimeout(1200); // Web Chat and the page have scrolled after the last activity
  await page.screenshot({ path: path.join(ARTIFACTS, 'layout', file) });
  expect({ file, problems: await clipped(page) }).toEqual({ file, problems: [] });
}

describe('the page fits a phone, a desktop and the embed panel, in five languages', () => {
  const running = botAndBrowser();
  beforeAll(() => mkdirSync(path.join(ARTIFACTS, 'layout'), { recursive: true }));

  describe.each(Object.entries(SIZES))('%s', (size, viewport) => {
    it.each([...LANGUAGES])('%s: the welcome and the menu', async (language) => {
      const page = await running.browser.newPage();
      page.setDefaultTimeout(20_000);
      await page.setViewportSize(viewport);
      await page.goto(`${running.bot.url}/?lang=${language}`);
      await shows(page, text(language, 'common', 'welcome'));
      await check(page, `${language}-${size}-welcome.png`);
      await send(page, text(language, 'common', 'commands.menu').split('|')[0]!);
      await page.locator('.webchat__bubble--from-user').waitFor();
      await page.waitForFunction(() => document.querySelectorAll('.webchat__bubble').length >= 3);
      await check(page, `${language}-${size}-menu.png`);
      await page.close();
    });
  });

  it('the 380×600 panel on another site, in Italian', async () => {
    const page = await running.browser.newPage();
    await page.setViewportSize({ width: 380, height: 600 });
    await page.goto(`${running.bot.url}/?lang=it`);
    await shows(page, text('it', 'common', 'welcome'));
    await check(page, 'it-embed-welcome.png');
  });
});
