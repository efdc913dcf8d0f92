import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { createTranslator } from '../../src/content/i18n';
import { usedKeys } from '../../src/content/loadContent';
import { ARTIFACTS, seriousViolations } from '../support/browser';
import { botAndBrowser } from './pageHelpers';
import { content } from '../support/helpers';
import { EMAILS, PASSWORDS, startStudioBot, studioDataDir } from '../support/studioClient';
import { studioSays } from '../support/studioWords';

jest.setTimeout(180_000);

/** The page's English words, from the content. */
const say = studioSays('en');

describe('the dialog as a picture on the studio page in Chromium', () => {
  const running = botAndBrowser('en-GB', async () => startStudioBot({ STUDIO_DATA_DIR: await studioDataDir() }));

  const { dialog } = content();
  const keys = usedKeys(dialog);
  /** The steps with texts of their own, and the first of each one's texts: what opening the step shows. */
  const withTexts = Object.keys(dialog.nodes)
    .map((id) => ({ id, key: keys.find((use) => use.where[0] === 'nodes' && use.where[1] === id)?.key }))
    .filter((step): step is { id: string; key: string } => step.key !== undefined && step.id !== dialog.start);
  const arrows = Object.values(dialog.nodes).reduce(
    (sum, node) =>
      sum + ('outcomes' in node ? Object.keys(node.outcomes).length : node.choices.length + (node.then ? 1 : 0)),
    0,
  );

  it('draws every step and arrow; a click, Enter or Space on a step opens its texts; it follows renames', async () => {
    const page = running.browser.pages()[0] ?? (await running.browser.newPage());
    await page.setViewportSize({ width: 1400, height: 1000 });
    await page.goto(`${running.bot.url}/studio`);
    await page.getByLabel(say('signIn.email')).fill(EMAILS.editor);
    await page.getByLabel(say('signIn.password')).fill(PASSWORDS.editor);
    await page.getByLabel(say('signIn.password')).press('Enter');
    const picture = page.locator('#picture-drawing');
    await picture.locator('[data-step]').first().waitFor();

    const drawn = await picture
      .locator('[role="button"][data-step]')
      .evaluateAll((nodes) => nodes.map((node) => (node as SVGElement).dataset.step));
    expect(drawn.sort()).toEqual(Object.keys(dialog.nodes).sort());
    expect(await picture.locator('path.edge').count()).toBe(arrows);
    expect(await seriousViolations(page)).toEqual([]);

    // A click opens the step's texts, as the list does; the step is marked as the current one.
    const [clicked, entered, spaced] = withTexts;
    await picture.locator(`[data-step="${clicked!.id}"]`).click();
    await page.getByLabel(say('editor.label', { key: clicked!.key, language: say.language('de') })).waitFor();
    expect(await picture.locator(`[data-step="${clicked!.id}"]`).getAttribute('aria-current')).toBe('true');

    // With the keyboard: Enter, then Space, on a focused step.
    await picture.locator(`[data-step="${entered!.id}"]`).focus();
    await page.keyboard.press('Enter');
    await page.getByLabel(say('editor.label', { key: entered!.key, language: say.language('de') })).waitFor();
    expect(await picture.locator(`[data-step="${clicked!.id}"]`).getAttribute('aria-current')).toBe('false');
    await picture.locator(`[data-step="${spaced!.id}"]`).focus();
    await page.keyboard.press(' ');
    await page.getByLabel(say('editor.label', { key: spaced!.key, language: say.language('de') })).waitFor();
    expect(await picture.locator(`[data-step="${spaced!.id}"]`).getAttribute('aria-current')).toBe('true');

    // The arrows' labels in another language: the German buttons of the menu, as the draft has them.
    await page.getByLabel(say('picture.language')).selectOption('de');
    await page.waitForFunction(() => document.querySelector('#picture-drawing svg')?.getAttribute('lang') === 'de');
    const menu = dialog.nodes[dialog.start]!;
    const button = 'choices' in menu ? menu.choices[0]! : undefined;
    if (button) {
      const german = createTranslator(content()).getFixedT('de')(button.label);
      const label = await picture
        .locator(`g.edge-label[data-from="${dialog.start}"][data-to="${button.goto}"] text`)
        .first()
        .textContent();
      expect(german.startsWith(label!.replace(/…$/, ''))).toBe(true);
    }
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'studio-picture.png') });

    // Zoomed out, the same drawing at half its size.
    const drawing = picture.locator('svg');
    const full = Number(await drawing.getAttribute('data-width'));
    expect(Number(await drawing.getAttribute('width'))).toBe(full);
    await page.getByLabel(say('picture.zoom')).selectOption('0.5');
    expect(Number(await drawing.getAttribute('width'))).toBe(Math.ceil(full / 2));
    expect(await seriousViolations(page)).toEqual([]);

    // After a change of structure the picture is drawn again: a renamed step appears under its new name.
    await page.getByLabel(say('structure.newName')).fill(`${spaced!.id}Renamed`);
    await page.getByRole('button', { name: say('structure.rename'), exact: true }).click();
    await picture.locator(`[data-step="${spaced!.id}Renamed"]`).waitFor();
    expect(await picture.locator(`[data-step="${spaced!.id}"]`).count()).toBe(0);
    expect(await picture.locator('[role="button"][data-step]').count()).toBe(drawn.length);
  });
});
