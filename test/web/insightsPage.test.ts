import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import type { RunningBot } from '../../src/index';
import { ARTIFACTS, launchBrowser, seriousViolations } from '../support/browser';
import { content, ROOT } from '../support/helpers';
import { HttpConversation } from '../support/httpConversation';
import { EMAILS, PASSWORDS, startStudioBot, StudioClient, studioDataDir } from '../support/studioClient';

jest.setTimeout(120_000);

/** How many pixels of each chart's canvas are drawn (not transparent). */
function drawnPixels(page: Page): Promise<Record<string, number>> {
  return page.evaluate(() => {
    const drawn: Record<string, number> = {};
    for (const canvas of Array.from(document.querySelectorAll('canvas'))) {
      const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
      let count = 0;
      for (let alpha = 3; alpha < data.length; alpha += 4) if (data[alpha]! > 0) count++;
      drawn[canvas.id] = count;
    }
    return drawn;
  });
}

const MISSED = 'wibble plonk quaxxle';

describe('the insights page in Chromium', () => {
  let bot: RunningBot;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  beforeAll(async () => {
    // Abandoned after two seconds, so "where candidates stop" has data too.
    bot = await startStudioBot({ STUDIO_DATA_DIR: await studioDataDir(), INSIGHTS_ABANDON_SECONDS: '2' });
    browser = await launchBrowser('en-GB');
  });
  afterAll(async () => {
    await browser?.dispose();
    await bot?.close();
  });

  it('draws the charts from recorded conversations, exports a table as CSV, and teaches from the inbox', async () => {
    const { dialog } = content();
    for (const [index, language] of ['en', 'de', 'es', 'en'].entries()) {
      const chat = new HttpConversation(bot.url, `page-${index}`, { locale: language });
      await chat.send({ type: 'event', name: 'webchat/join', value: { language } });
      await chat.choose('lockout');
      if (index % 2 === 0) await chat.choose('solved');
      else await chat.say(MISSED);
    }
    const api = await new StudioClient(bot.url).as('publisher');
    const today = new Date().toISOString().slice(0, 10);
    const read = async () =>
      (await (await api.call('GET', `/studio/api/insights?from=${today}&to=${today}`)).json()) as {
        conversations: number;
        outcomes: Record<string, number>;
      };
    let report = await read();
    for (let tries = 0; report.outcomes.abandoned < 2 && tries < 100; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      report = await read();
    }
    expect(report.outcomes.abandoned).toBeGreaterThanOrEqual(2);
    expect(report.conversations).toBe(4);

    const page = browser.pages()[0] ?? (await browser.newPage());
    await page.setViewportSize({ width: 1400, height: 1000 });
    await page.goto(`${bot.url}/studio`);
    await page.getByLabel('Email address').fill(EMAILS.publisher);
    await page.getByLabel('Password').fill(PASSWORDS.publisher);
    await page.getByLabel('Password').press('Enter');
    await page.getByRole('button', { name: 'Insights' }).click();
    await page.getByText(/^4 conversations from /).waitFor();
    await page.locator('#inbox').getByText(MISSED).first().waitFor();

    // Every chart is drawn: each canvas has pixels painted.
    await page.waitForFunction(() => document.querySelectorAll('canvas').length >= 6);
    const drawn = await drawnPixels(page);
    expect(Object.keys(drawn).length).toBeGreaterThanOrEqual(6);
    for (const [chart, pixels] of Object.entries(drawn))
      expect({ chart, drawn: pixels > 0 }).toEqual({ chart, drawn: true });

    // The outcomes table as CSV: the header, then one row per outcome with the counts the API gives.
    const downloading = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download "Outcomes" as CSV' }).click();
    const download = await downloading;
    const csv = readFileSync(await download.path(), 'utf8')
      .trim()
      .split(/\r\n/);
    expect(csv[0]).toBe('Outcome,Conversations,Share of conversations');
    expect(csv).toHaveLength(1 + Object.keys(report.outcomes).length);
    const counts = csv.slice(1).map((line) => Number(line.split(',')[1]));
    expect(counts.sort()).toEqual(Object.values(report.outcomes).sort());
    expect(csv).toContain(`Solved,2,50 %`);

    expect(await seriousViolations(page)).toEqual([]);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'studio-insights.png'), fullPage: true });

    // Teach from the inbox: the draft's understanding file gets the example.
    const group = page.locator('.inbox-group', { hasText: MISSED }).first();
    await group.getByLabel('Topic it should have gone to').selectOption('lostEmail');
    await group.getByRole('button', { name: 'Teach' }).click();
    await group.getByText(/^Taught as "lostEmail" in the draft/).waitFor();
    const tried = (await (await api.call('POST', '/studio/api/try', { text: MISSED })).json()) as {
      intents: Array<{ intent: string }>;
    };
    expect(tried.intents[0]?.intent).toBe('topic:lostEmail');
    expect(dialog.offTopic).toBeDefined();

    // A message in a language the bot does not speak: filed as another language, only to be dismissed.
    const script = readFileSync(path.join(ROOT, 'test', 'conversations', 'unsupported-language.yaml'), 'utf8');
    const foreign = /type: "([^"]+)"/.exec(script)![1]!;
    await new HttpConversation(bot.url, 'page-other', {}).say(foreign);
    await page.getByRole('button', { name: 'Content' }).click();
    await page.getByRole('button', { name: 'Insights' }).click();
    const other = page.locator('.inbox-group', { hasText: foreign.split(' ')[0]! }).first();
    await other.getByText(/^Other language · 1 ×/).waitFor();
    expect(await other.getByRole('button', { name: 'Teach' }).isDisabled()).toBe(true);
    expect(await other.getByRole('button', { name: 'Dismiss' }).isDisabled()).toBe(false);
  });
});
