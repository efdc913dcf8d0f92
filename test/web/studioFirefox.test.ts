/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { ElementHandle } from 'puppeteer-core';
import type { RunningBot } from '../../src/index';
import { ARTIFACTS } from '../support/browser';
import { content } from '../support/helpers';
import { launchFirefox, type Firefox } from '../support/firefox';
import { EMAILS, germanOpening, openingKey, PASSWORDS, startStudioBot, studioDataDir } from '../support/studioClient';
import { studioSays } from '../support/studioWords';
import { button, focused, labelled, pageErrors, retype, textAppears } from './firefoxPage';

jest.setTimeout(180_000);

/** The page's English words, from the content. */
const say = studioSays('en');

describe('the studio page in Firefox', () => {
  let bot: RunningBot;
  let firefox: Firefox;
  beforeAll(async () => {
    bot = await startStudioBot({ STUDIO_DATA_DIR: await studioDataDir() });
    firefox = await launchFirefox('en-GB', { width: 1400, height: 1000 });
  });
  afterAll(async () => {
    await firefox?.dispose();
    await bot?.close();
  });

  it('signs in with the keyboard alone: focus in the form, Tab through it, a refusal said, Enter', async () => {
    const page = await firefox.newPage();
    await page.goto(`${bot.url}/studio`);
    const email = await labelled(page, say('signIn.email'));
    const password = await labelled(page, say('signIn.password'));
    const [emailId, passwordId] = await Promise.all([email, password].map((box) => box.evaluate((each) => each.id)));

    // The page opens with the e-mail field focused: a keyboard user types at once. (Tab stays inside the page:
    // headless Firefox does not give the page its focus back after Tab has gone out to the browser's own bar.)
    await page.waitForFunction((id) => document.activeElement?.id === id, {}, emailId!);
    await page.keyboard.type(EMAILS.publisher);
    await page.keyboard.press('Tab');
    expect((await focused(page)).id).toBe(passwordId);
    await page.keyboard.type('a wrong password');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toEqual(expect.objectContaining({ tag: 'button', text: say('signIn.submit') }));
    await page.keyboard.press('Enter');
    // Refused, said in the form's alert; Shift+Tab goes back to the password.
    await page.waitForFunction(() => !!document.querySelector('form [role="alert"]')?.textContent?.trim());
    await page.keyboard.down('Shift');
    await page.keyboard.press('Tab');
    await page.keyboard.up('Shift');
    expect((await focused(page)).id).toBe(passwordId);
    await page.keyboard.type(PASSWORDS.publisher);
    await page.keyboard.press('Enter');
    await textAppears(page, 'h2', new RegExp(`^${say('steps.title').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
    await page.close();
  });

  it('changes a German text in five columns, flags it, publishes it; a German conversation then says it', async () => {
    const page = await firefox.newPage();
    const errors = await pageErrors(page);
    await page.goto(`${bot.url}/studio`);
    await (await labelled(page, say('signIn.email'))).type(EMAILS.publisher);
    await (await labelled(page, say('signIn.password'))).type(PASSWORDS.publisher);
    await (await button(page, say('signIn.submit'))).click();

    const { start } = content().dialog;
    // Opened from the picture of the dialog with the keyboard: Tab from its zoom to the step's box, which comes into
    // sight inside the scrolling picture as it takes the focus; Enter opens it.
    await page.waitForSelector(`#picture-drawing [data-step="${start}"]`);
    await page.focus('#picture-zoom');
    const boxes = await page.$$eval('#picture-drawing [data-step]', (all) => all.length);
    for (let step = 0; step < boxes; step += 1) {
      await page.keyboard.press('Tab');
      if (await page.evaluate((id) => (document.activeElement as HTMLElement).dataset.step === id, start)) break;
    }
    const focusedBox = await page.evaluate(() => {
      const focus = document.activeElement as HTMLElement;
      const box = focus.getBoundingClientRect();
      const picture = document.getElementById('picture-drawing')!.getBoundingClientRect();
      const [x, y] = [box.left + box.width / 2, box.top + box.height / 2];
      return {
        step: focus.dataset.step,
        inSight: x > picture.left && x < picture.right && y > picture.top && y < picture.bottom,
      };
    });
    expect(focusedBox).toEqual({ step: start, inSight: true });
    await page.keyboard.press('Enter');
    await page.waitForSelector(`#picture-drawing [data-step="${start}"][aria-current="true"]`);
    const key = openingKey();
    const german = await labelled(page, say('editor.label', { key, language: say.language('de') }));
    const english = await labelled(page, say('editor.label', { key, language: say.language('en') }));
    const before = await german.evaluate((area) => (area as HTMLTextAreaElement).value);
    expect(before.length).toBeGreaterThan(0);
    const cell = await german.evaluateHandle((area) => area.closest('td')!);
    const cellSays = (words: string) =>
      page.waitForFunction(
        (td, wanted) => [...td.querySelectorAll('li, [role="status"]')].some((each) => each.textContent === wanted),
        {},
        cell,
        words,
      );

    // Checked as you type: the English text in the German box is flagged, and the flags go once it is German again.
    await retype(page, german, await english.evaluate((area) => (area as HTMLTextAreaElement).value));
    await cellSays(say('editor.sameAsEnglish'));
    // A placeholder the bot cannot fill: the server's check says so in the same list, while typing.
    await retype(page, german, `${before} {{unbekannt}}`);
    await page.waitForFunction((td) => !!td.querySelector('li.problem')?.textContent?.trim(), {}, cell);
    const changed = `${before} (im Studio geändert)`;
    await retype(page, german, changed);
    await page.waitForFunction((td) => td.querySelectorAll('li').length === 0, {}, cell);
    const save = await cell.evaluateHandle(
      (td, words) => [...td.querySelectorAll('button')].find((each) => each.textContent === words)!,
      say('editor.save'),
    );
    await (save.asElement() as ElementHandle<HTMLButtonElement>).click();
    await cellSays(say('editor.saved'));

    // The preview talks to the draft: the German opening says the new text before it is published.
    await page.select('#preview-language', 'de');
    await (await button(page, say('preview.start'))).click();
    await page.waitForFunction(
      (words) => (document.querySelector('#preview-webchat')?.textContent ?? '').includes(words),
      {},
      '(im Studio geändert)',
    );
    expect(await germanOpening(bot.url, 'firefox-before-publish')).not.toContain(changed);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'studio-firefox.png'), fullPage: true });

    await (await labelled(page, say('publish.message'))).type('German greeting reworded in Firefox');
    await (await button(page, say('publish.button'))).click();
    await textAppears(page, '#publish-result', say.pattern('publish.published'), 90_000);
    await textAppears(page, '#versions > li', /German greeting reworded in Firefox/);

    expect(await germanOpening(bot.url, 'firefox-after-publish')).toContain(changed);
    expect(await errors()).toEqual([]);
    expect(firefox.outside).toEqual([]);
  });
});
