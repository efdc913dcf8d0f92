/// <reference lib="dom" />
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { loadConfig } from '../../src/config';
import { startBot, type RunningBot } from '../../src/index';
import { createLogger } from '../../src/logger';
import { launchBrowser } from '../support/browser';
import { content, ROOT } from '../support/helpers';

/** A text of the content, as the locale file has it today, with the dialog's links filled in as the bot does. */
export function text(language: string, ns: string, key: string): string {
  const tree = JSON.parse(readFileSync(path.join(ROOT, 'locales', language, `${ns}.json`), 'utf8')) as Record<
    string,
    unknown
  >;
  const raw = key.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown>)[part], tree) as string;
  const { links } = content().dialog;
  return raw.replace(/\{\{links\.(\w+)\}\}/g, (whole, name: string) => links[name] ?? whole);
}

/** What a reader sees of a markdown text: no ** or link syntax. */
export function plain(markdown: string): string {
  return markdown.replace(/\*\*/g, '').replace(/\[([^\]]+)\]\([^)]+\)/g, '$1');
}

/** Words as the transcript is compared with them: typographic quotes and runs of spaces aside. */
export const wantedWords = (words: string) =>
  words.replace(/[‘’]/g, "'").replace(/[“”]/g, '"').replace(/\s+/g, ' ').trim();

/** In the page, whichever browser runs it: whether Web Chat's transcript shows the wanted words. */
export function transcriptShows([expected, pattern]: readonly [string, string]): boolean {
  const shown = document.querySelector('.webchat__basic-transcript')?.textContent ?? '';
  return shown.replace(new RegExp(pattern, 'g'), "'").replace(/[“”]/g, '"').replace(/\s+/g, ' ').includes(expected);
}

/** Resolves once the transcript shows these words (the bot's or the user's). */
export async function shows(page: Page, words: string, timeout = 20_000): Promise<void> {
  await page.waitForFunction(transcriptShows, [wantedWords(words), '[‘’]'] as const, { timeout });
}

/** Resolves once the status line above the chat shows these words. */
export const statusShows = (page: Page, words: string, timeout = 20_000) =>
  page.waitForFunction(
    (expected) => {
      const status = document.getElementById('chat-status');
      return !!status && !status.hidden && (status.textContent ?? '').includes(expected);
    },
    words,
    { timeout },
  );

export async function send(page: Page, message: string): Promise<void> {
  const box = page.getByRole('textbox').last();
  await box.fill(message);
  await box.press('Enter');
}

/**
 * A bot on port 0 and a Chromium for the tests of a describe block, started before them and stopped after;
 * `start` starts another bot (with the studio on, for one).
 */
export function botAndBrowser(
  locale = 'en-GB',
  start: () => Promise<RunningBot> = () =>
    startBot(loadConfig({ PORT: '0', HOST: '127.0.0.1' }), createLogger('silent')),
): {
  bot: RunningBot;
  browser: Awaited<ReturnType<typeof launchBrowser>>;
} {
  const running = {} as { bot: RunningBot; browser: Awaited<ReturnType<typeof launchBrowser>> };
  beforeAll(async () => {
    running.bot = await start();
    running.browser = await launchBrowser(locale);
  });
  afterAll(async () => {
    await running.browser?.dispose();
    await running.bot?.close();
  });
  return running;
}
