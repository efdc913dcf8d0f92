import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { RunningBot } from '../../src/index';
import { ARTIFACTS, launchBrowser, seriousViolations } from '../support/browser';
import { parse } from 'yaml';
import { readFileSync } from 'node:fs';
import { isFormNode } from '../../src/content/dialogSchema';
import { content, ROOT } from '../support/helpers';
import { text } from './pageHelpers';

/** A key of the dialog as namespace and key, as the locale files keep it. */
function namespaced(key: string): [string, string] {
  const [ns, rest] = key.includes(':') ? (key.split(':') as [string, string]) : ['helpdesk', key];
  return [ns, rest];
}

/** The first German example of a topic, from the understanding file. */
function germanExample(topic: string): string {
  const file = parse(readFileSync(path.join(ROOT, 'dialogs', 'understanding', 'de.yaml'), 'utf8')) as {
    topics: Record<string, string[]>;
  };
  return file.topics[topic]![0]!;
}
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

    // The preview is a Web Chat pane talking to the draft, not to what is live; the trace of each turn beside it.
    await page.getByLabel(say('preview.language'), { exact: true }).selectOption('de');
    await page.getByRole('button', { name: say('preview.start') }).click();
    const webChat = page.locator('#preview-webchat');
    await webChat.locator('.webchat__bubble').getByText('(im Studio geändert)').waitFor();
    const traces = page.locator('#preview-trace li');
    await traces.first().waitFor();
    expect(await traces.first().getAttribute('data-state')).toBe(start);
    expect(await germanOpening(bot.url, 'studio-before-publish')).not.toContain(changed);
    // A click on one of the menu's buttons in Web Chat: the next turn's trace names the step it led to.
    const menu = content().dialog.nodes[start]!;
    if (isFormNode(menu)) throw new Error('the start step is a message step');
    const choice = menu.choices[0]!;
    await webChat
      .locator('.webchat__suggested-actions')
      .getByRole('button', { name: text('de', ...namespaced(choice.label)) })
      .click();
    await traces.nth(1).waitFor();
    expect(await traces.nth(1).getAttribute('data-state')).toBe(choice.goto);
    // A typed message: the trace says what the draft's model understood.
    await webChat.getByRole('textbox').last().fill(germanExample('lockout'));
    await webChat.getByRole('textbox').last().press('Enter');
    await traces.nth(2).waitFor();
    expect(await traces.nth(2).getAttribute('data-topic')).toBe('lockout');
    // "understood {{understood}} (…)" with the topic's intent, however the content words it.
    const [understood] = say('preview.understood', { understood: '\u0000' }).split('\u0000');
    const escaped = understood!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    expect(await traces.nth(2).locator('.understood').textContent()).toMatch(new RegExp(`${escaped}\\S*lockout`));
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(ARTIFACTS, 'studio-preview.png'), fullPage: true });

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
    const texts = published.locator('table.diff-texts tbody');
    await texts.first().waitFor();
    expect(await texts.count()).toBe(1);
    expect(await texts.getAttribute('data-key')).toBe(key);
    const row = texts.locator('tr.change');
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
