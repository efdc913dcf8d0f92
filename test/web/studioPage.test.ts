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

jest.setTimeout(120_000);

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

    await page.getByLabel('Email address').fill(EMAILS.publisher);
    await page.getByLabel('Password').fill('a wrong password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('The email address or the password is wrong.').waitFor();
    await page.getByLabel('Password').fill(PASSWORDS.publisher);
    // With the keyboard: Enter in the password field signs in.
    await page.getByLabel('Password').press('Enter');
    await page.getByRole('heading', { name: 'The conversation' }).waitFor();

    const { start } = content().dialog;
    await page.locator(`button.step[data-step="${start}"]`).first().click();
    const key = openingKey();
    const german = page.getByLabel(`${key} in German`);
    await german.waitFor();
    const before = await german.inputValue();
    expect(before.length).toBeGreaterThan(0);

    // Checked as you type: the English text in the German box is flagged.
    const english = await page.getByLabel(`${key} in English`).inputValue();
    await german.fill(english);
    await page.getByText('Same as English: translate it, unless it is a name.').first().waitFor();

    const changed = `${before} (im Studio geändert)`;
    await german.fill(changed);
    const cell = page.locator('td', { has: german });
    await cell.getByRole('button', { name: 'Save' }).click();
    await cell.getByText('Saved in the draft.').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(ARTIFACTS, 'studio-step.png'), fullPage: true });

    // The preview is a Web Chat pane talking to the draft, not to what is live; the trace of each turn beside it.
    await page.getByLabel('Language', { exact: true }).selectOption('de');
    await page.getByRole('button', { name: 'Start a new conversation' }).click();
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
    expect(await traces.nth(2).locator('.understood').textContent()).toMatch(/understood \S*lockout/);
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(ARTIFACTS, 'studio-preview.png'), fullPage: true });

    await page.getByLabel('A message a candidate might type').fill('Mein Konto ist gesperrt');
    await page.getByRole('button', { name: 'What does the draft understand?' }).click();
    await page
      .locator('#try-result')
      .getByText(/^Understood: /)
      .waitFor();

    await page.getByLabel('What changed').fill('German greeting reworded');
    await page.getByRole('button', { name: 'Publish the draft' }).click();
    await page.getByText(/^Published as version \d+\. It is live now\.$/).waitFor({ timeout: 60_000 });
    await page.locator('#versions').getByText('German greeting reworded').waitFor();

    // The history: open the new version's changes, the German text old → new, and nothing else.
    const published = page.locator('#versions > li', { hasText: 'German greeting reworded' });
    await published.getByRole('button', { name: /^Changes in version \d+$/ }).click();
    const texts = published.locator('table.diff-texts tbody');
    await texts.first().waitFor();
    expect(await texts.count()).toBe(1);
    expect(await texts.getAttribute('data-key')).toBe(key);
    const row = texts.locator('tr.change');
    expect(await row.count()).toBe(1);
    expect(await row.locator('th, td').allInnerTexts()).toEqual(['German', before, changed]);
    expect(await published.getByRole('button', { name: /^Changes in version/ }).getAttribute('aria-expanded')).toBe(
      'true',
    );
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(ARTIFACTS, 'studio-published.png'), fullPage: true });

    expect(await germanOpening(bot.url, 'studio-after-publish')).toContain(changed);
  });
});
