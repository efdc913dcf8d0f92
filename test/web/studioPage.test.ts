import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { RunningBot } from '../../src/index';
import { ARTIFACTS, launchBrowser, seriousViolations } from '../support/browser';
import { content } from '../support/helpers';
import { EMAILS, germanOpening, openingKey, PASSWORDS, startStudioBot, studioDataDir } from '../support/studioClient';
import { studioSays } from '../support/studioWords';

jest.setTimeout(120_000);

/** The page's English words, from the content. */
const say = studioSays('en');

describe('the studio page in Chromium', () => {
  let bot: RunningBot;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  beforeAll(async () => {
    bot = await startStudioBot({ STUDIO_DATA_DIR: await studioDataDir() });
    browser = await launchBrowser('en-GB');
    await browser.pages()[0]?.setViewportSize({ width: 1400, height: 1000 });
  });
  afterAll(async () => {
    await browser?.dispose();
    await bot?.close();
  });

  it('signs in, changes a German text, previews and publishes it; a German conversation then says it', async () => {
    const page = browser.pages()[0] ?? (await browser.newPage());
    await page.setViewportSize({ width: 1400, height: 1000 });
    await page.goto(`${bot.url}/studio`);
    expect(await seriousViolations(page)).toEqual([]);
    mkdirSync(ARTIFACTS, { recursive: true });

    await page.getByLabel(say('signIn.email')).fill(EMAILS.publisher);
    await page.getByLabel(say('signIn.password')).fill('a wrong password');
    await page.getByRole('button', { name: say('signIn.submit'), exact: true }).click();
    await page.getByText('The email address or the password is wrong.').waitFor();
    await page.getByLabel(say('signIn.password')).fill(PASSWORDS.publisher);
    // With the keyboard: Enter in the password field signs in.
    await page.getByLabel(say('signIn.password')).press('Enter');
    await page.getByRole('heading', { name: say('steps.title') }).waitFor();

    const { start } = content().dialog;
    await page.locator(`button.step[data-step="${start}"]`).first().click();
    const key = openingKey();
    const german = page.getByLabel(say('editor.label', { key, language: say.language('de') }));
    await german.waitFor();
    const before = await german.inputValue();
    expect(before.length).toBeGreaterThan(0);

    // Checked as you type: the English text in the German box is flagged.
    const english = await page.getByLabel(say('editor.label', { key, language: say.language('en') })).inputValue();
    await german.fill(english);
    await page.getByText(say('editor.sameAsEnglish')).first().waitFor();

    const changed = `${before} (im Studio geändert)`;
    await german.fill(changed);
    const cell = page.locator('td', { has: german });
    await cell.getByRole('button', { name: say('editor.save') }).click();
    await cell.getByText(say('editor.saved')).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(ARTIFACTS, 'studio-step.png'), fullPage: true });

    // The preview talks to the draft, not to what is live.
    await page.getByLabel(say('preview.language'), { exact: true }).selectOption('de');
    await page.getByRole('button', { name: say('preview.start') }).click();
    await page.locator('#preview-log').getByText('(im Studio geändert)').waitFor();
    expect(await germanOpening(bot.url, 'studio-before-publish')).not.toContain(changed);

    await page.getByLabel(say('try.label')).fill('Mein Konto ist gesperrt');
    await page.getByRole('button', { name: say('try.button') }).click();
    await page.locator('#try-result').getByText(say.pattern('try.understood')).waitFor();

    await page.getByLabel(say('publish.message')).fill('German greeting reworded');
    await page.getByRole('button', { name: say('publish.button') }).click();
    await page.getByText(say.pattern('publish.published')).waitFor({ timeout: 60_000 });
    await page.locator('#versions').getByText('German greeting reworded').waitFor();

    // The history: open the new version's changes, the German text old → new, and nothing else.
    const published = page.locator('#versions > li', { hasText: 'German greeting reworded' });
    await published.getByRole('button', { name: say.pattern('versions.changes') }).click();
    const text = published.locator('table.diff-texts tbody');
    await text.first().waitFor();
    expect(await text.count()).toBe(1);
    expect(await text.getAttribute('data-key')).toBe(key);
    const row = text.locator('tr.change');
    expect(await row.count()).toBe(1);
    expect(await row.locator('th, td').allInnerTexts()).toEqual([say.language('de'), before, changed]);
    expect(
      await published.getByRole('button', { name: say.pattern('versions.changes') }).getAttribute('aria-expanded'),
    ).toBe('true');
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(ARTIFACTS, 'studio-published.png'), fullPage: true });

    expect(await germanOpening(bot.url, 'studio-after-publish')).toContain(changed);
  });
});
