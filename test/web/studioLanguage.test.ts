import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import type { RunningBot } from '../../src/index';
import { ARTIFACTS, launchBrowser, seriousViolations } from '../support/browser';
import { content } from '../support/helpers';
import { EMAILS, openingKey, PASSWORDS, startStudioBot, studioDataDir } from '../support/studioClient';
import { fill, pageWords, studioSays } from '../support/studioWords';

jest.setTimeout(120_000);

/** Every text node, aria-label and title the page shows, trimmed. */
const shownTexts = (page: Page) =>
  page.evaluate(() => {
    const texts = [document.title];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      if (parent && !parent.closest('[hidden]') && node.textContent) texts.push(node.textContent);
    }
    for (const element of Array.from(document.querySelectorAll('[aria-label]')))
      if (!element.closest('[hidden]')) texts.push(element.getAttribute('aria-label') ?? '');
    return texts.map((text) => text.trim()).filter(Boolean);
  });

describe('the studio page in German', () => {
  let bot: RunningBot;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  const en = pageWords('en');
  const de = pageWords('de');
  /** English words of the studio that German says differently (a placeholder matches a word): none may be shown. */
  const english = Object.keys(en)
    .filter((key) => en[key] !== de[key])
    .map((key) => {
      const parts = en[key]!.split(/\{\{\s*\w+\s*\}\}/).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
      return new RegExp(`^${parts.join('\\S+')}$`);
    });
  const englishOnPage = async (page: Page) =>
    (await shownTexts(page)).filter((text) => english.some((pattern) => pattern.test(text)));

  beforeAll(async () => {
    bot = await startStudioBot({ STUDIO_DATA_DIR: await studioDataDir() });
    browser = await launchBrowser('en-GB');
  });
  afterAll(async () => {
    await browser?.dispose();
    await bot?.close();
  });

  it('speaks German once German is chosen: sign-in, workspace, insights; a reload keeps it', async () => {
    expect(english.length).toBeGreaterThan(50);
    const page = browser.pages()[0] ?? (await browser.newPage());
    await page.setViewportSize({ width: 1400, height: 1000 });
    await page.goto(`${bot.url}/studio`);
    // An English browser gets the English words first.
    await page.getByRole('heading', { name: en['signIn.title'] }).waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('en');

    await page.getByLabel(en['pageLanguage']!).selectOption('de');
    await page.getByRole('heading', { name: de['signIn.title'] }).waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('de');
    expect(await page.title()).toBe(de['title']);
    expect(await englishOnPage(page)).toEqual([]);

    await page.getByLabel(de['signIn.email']!).fill(EMAILS.publisher);
    await page.getByLabel(de['signIn.password']!).fill(PASSWORDS.publisher);
    await page.getByRole('button', { name: de['signIn.submit'], exact: true }).click();
    await page.getByRole('heading', { name: de['steps.title'] }).waitFor();
    await page.getByText(fill(de['who']!, { email: EMAILS.publisher, role: de['rolePublisher']! })).waitFor();

    // A step's texts: the columns and labels name the languages in German.
    const languages = content().resources.de.common as { languages: Record<string, string> };
    await page.locator(`button.step[data-step="${content().dialog.start}"]`).first().click();
    const label = fill(de['editor.label']!, { key: openingKey(), language: languages.languages.de! });
    await page.getByLabel(label, { exact: true }).waitFor();
    await page.getByRole('columnheader', { name: de['editor.text'], exact: true }).waitFor();
    await page.locator('#versions li').first().waitFor();
    expect(await englishOnPage(page)).toEqual([]);
    expect(await seriousViolations(page)).toEqual([]);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'studio-german.png'), fullPage: true });

    // The step's structure, the picture's options and the form for a new menu topic, in German too; a change
    // of language draws what is open again in the other language, keeping what was typed.
    const [inGerman, inEnglish] = [studioSays('de'), studioSays('en')];
    const start = content().dialog.start;
    await page.getByRole('heading', { name: inGerman('structure.title', { step: start }) }).waitFor();
    const pictureLanguages = await page.locator('#picture-language option').allTextContents();
    expect(pictureLanguages).toEqual(['en', 'es', 'it', 'fr', 'de'].map((each) => languages.languages[each]));
    expect(await englishOnPage(page)).toEqual([]);
    await page.getByLabel(de['pageLanguage']!).selectOption('en');
    await page.getByRole('heading', { name: inEnglish('structure.title', { step: start }) }).waitFor();
    await page.getByRole('button', { name: inEnglish('newTopic.title') }).click();
    await page.getByLabel(inEnglish('newTopic.name')).fill('websiteDown');
    const says = (language: 'en' | 'de') => inEnglish('newTopic.saysIn', { language: inEnglish.language(language) });
    await page.getByLabel(says('de')).fill('Die Website lädt nicht.');
    await page.getByLabel(en['pageLanguage']!).selectOption('de');
    await page.getByRole('heading', { name: inGerman('newTopic.title') }).waitFor();
    expect(await page.getByLabel(inGerman('newTopic.name')).inputValue()).toBe('websiteDown');
    const saysGerman = inGerman('newTopic.saysIn', { language: inGerman.language('de') });
    expect(await page.getByLabel(saysGerman).inputValue()).toBe('Die Website lädt nicht.');
    expect(await englishOnPage(page)).toEqual([]);
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(ARTIFACTS, 'studio-german-new-topic.png'), fullPage: true });

    // The preview's trace beside Web Chat: each turn described in German.
    await page.getByRole('button', { name: inGerman('preview.start'), exact: true }).click();
    await page.locator('#preview-trace li .said', { hasText: inGerman('preview.opened') }).waitFor();
    expect(await englishOnPage(page)).toEqual([]);

    await page.getByRole('button', { name: de['viewInsights'], exact: true }).click();
    await page.getByRole('heading', { name: de['insights.outcomes'], exact: true }).waitFor();
    await page
      .getByRole('button', { name: fill(de['insights.download']!, { caption: de['insights.outcomes']! }) })
      .waitFor();
    expect(await englishOnPage(page)).toEqual([]);

    // Remembered in this browser: a reload comes back in German.
    await page.reload();
    await page.getByRole('heading', { name: de['steps.title'] }).waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('de');
  });
});
