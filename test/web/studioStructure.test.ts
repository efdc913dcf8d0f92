import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { LANGUAGES } from '../../src/dialog/languages';
import { capturingTopic } from '../support/capturingTopic';
import { ARTIFACTS, seriousViolations } from '../support/browser';
import { botAndBrowser, text } from './pageHelpers';
import { content } from '../support/helpers';
import { startStudioBot, StudioClient, studioDataDir } from '../support/studioClient';
import { contentText, signedInStudio, stateAfter } from '../support/studioPage';
import { isFormNode, type MessageNode } from '../../src/content/dialogSchema';
import { newTopic } from '../support/newTopic';
import { studioSays } from '../support/studioWords';

jest.setTimeout(180_000);

/** A key of the dialog as namespace and key, as the locale files keep it. */
const namespaced = (key: string): [string, string] =>
  key.includes(':') ? (key.split(':') as [string, string]) : ['helpdesk', key];

/** The page's English words, from the content: a lead's rewording does not break the test. */
const say = studioSays('en');

describe('structure editing on the studio page in Chromium', () => {
  const running = botAndBrowser('en-GB', async () => startStudioBot({ STUDIO_DATA_DIR: await studioDataDir() }));

  const signedIn = () => signedInStudio(running.browser, running.bot.url);

  it('adds a menu topic with examples in five languages and publishes it; German typing reaches it', async () => {
    const topic = newTopic();
    const labelKey = Object.keys(topic.texts).find((key) => key.includes('.choice.'))!;
    const bodyKey = Object.keys(topic.texts).find((key) => key !== labelKey)!;
    const page = await signedIn();

    // With the keyboard: the button that opens the form, then the form's first field has the focus.
    await page.getByRole('button', { name: say('newTopic.title') }).focus();
    await page.keyboard.press('Enter');
    const name = page.getByLabel(say('newTopic.name'));
    await name.waitFor();
    expect(await name.evaluate((field) => field === document.activeElement)).toBe(true);
    await page.keyboard.type(topic.id);
    for (const language of LANGUAGES) {
      const called = { language: say.language(language) };
      await page.getByLabel(say('newTopic.buttonIn', called)).fill(topic.texts[labelKey]![language]);
      await page.getByLabel(say('newTopic.saysIn', called)).fill(topic.texts[bodyKey]![language]);
      await page.getByLabel(say('newTopic.examplesIn', called)).fill(topic.examples[language].join('\n'));
    }
    await page.getByRole('button', { name: say('newTopic.check') }).click();
    await page.getByText(say('newTopic.noProblems')).waitFor({ timeout: 60_000 });
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByRole('button', { name: say('newTopic.add') }).click();
    await page.getByText(say('newTopic.added', { topic: topic.id })).waitFor({ timeout: 60_000 });
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'studio-new-topic.png'), fullPage: true });

    // The new step is in the tree; its structure and examples open beside its texts.
    await page.locator(`button.step[data-step="${topic.id}"]`).first().click();
    await page.getByRole('heading', { name: say('structure.title', { step: topic.id }) }).waitFor();
    await page.getByLabel(say('structure.examplesIn', { language: say.language('de') })).waitFor();
    await page.waitForFunction(
      ([id, count]) =>
        (document.getElementById(`examples-${id}-de`) as HTMLTextAreaElement | null)?.value.split('\n').length ===
        count,
      [topic.id, topic.examples.de.length] as const,
    );
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(ARTIFACTS, 'studio-structure.png'), fullPage: true });

    await page.getByLabel(say('publish.message')).fill('A menu topic: the website does not load');
    await page.getByRole('button', { name: say('publish.button') }).click();
    await page.getByText(say.pattern('publish.published')).waitFor({ timeout: 120_000 });

    // A fresh German conversation over /api/messages: typing one of the examples leads to the new step.
    const opened = await stateAfter(running.bot.url, 'structure-de', {
      type: 'event',
      name: 'webchat/join',
      value: { language: 'de' },
    });
    expect(opened?.state).toBeDefined();
    const reached = await stateAfter(running.bot.url, 'structure-de', { text: topic.examples.de[0] });
    expect(reached).toMatchObject({ topic: topic.id, state: topic.id });
  });

  it('adds a paragraph in five languages to a step from the picture, by keyboard; the preview says it', async () => {
    // A step a menu button leads to, the button's German words, and new words after the step's last text's.
    const { dialog } = content();
    const menu = dialog.nodes[dialog.start] as MessageNode;
    const choice = menu.choices.find((each) => !isFormNode(dialog.nodes[each.goto]!))!;
    const id = choice.goto;
    const { say: texts } = dialog.nodes[id] as MessageNode;
    const added = Object.fromEntries(
      LANGUAGES.map((language) => [language, `${contentText(language, texts.at(-1)!)} (${language} 2)`]),
    ) as Record<(typeof LANGUAGES)[number], string>;

    const page = await signedIn();
    await page.locator(`#picture-drawing [data-step="${id}"]`).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: say('structure.title', { step: id }) }).waitFor();
    // Typed box after box with Tab, then the button that adds it: its row's "Move up" has the focus.
    await page.getByLabel(say('structure.newSayIn', { language: say.language(LANGUAGES[0]) })).focus();
    for (const [index, language] of LANGUAGES.entries()) {
      if (index > 0) await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.getAttribute('lang'))).toBe(language);
      await page.keyboard.type(added[language]);
    }
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    const row = say('structure.newSayName', { text: added.en });
    await page.getByText(row, { exact: true }).waitFor();
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(
      say('structure.moveUpLabel', { name: row }),
    );
    // Moved up above the step's last text, then saved with the keyboard.
    await page.keyboard.press('Enter');
    expect(
      await page
        .locator('#structure .says li')
        .nth(texts.length - 1)
        .textContent(),
    ).toContain(row);
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('button', { name: say('structure.save') }).focus();
    await page.keyboard.press('Enter');
    await page
      .locator('#structure-result')
      .getByText(say('editor.saved'), { exact: true })
      .waitFor({ timeout: 60_000 });
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.locator('#structure').screenshot({ path: path.join(ARTIFACTS, 'studio-says.png') });

    // The draft says it second to last, under a key made from the step's name, in every language.
    const lead = await new StudioClient(running.bot.url).as('editor');
    const { step } = (await (await lead.call('GET', `/studio/api/steps/${id}`)).json()) as { step: MessageNode };
    const key = step.say.at(-2)!;
    expect(step.say).toEqual([...texts.slice(0, -1), key, texts.at(-1)]);
    expect(key.startsWith(`${id}.`)).toBe(true);
    for (const language of LANGUAGES) expect((await lead.getText(language, key)).text).toBe(added[language]);

    // The preview pane, in German: the menu's button leads to the step, which says the new paragraph.
    await page.getByLabel(say('preview.language'), { exact: true }).selectOption('de');
    await page.getByRole('button', { name: say('preview.start') }).click();
    const webChat = page.locator('#preview-webchat');
    await webChat
      .locator('.webchat__suggested-actions')
      .getByRole('button', { name: text('de', ...namespaced(choice.label)) })
      .click();
    await webChat.locator('.webchat__bubble').getByText('(de 2)').waitFor({ timeout: 30_000 });
    const trace = page.locator(`#preview-trace li[data-state="${id}"]`);
    await trace.first().waitFor();
    expect(await trace.first().textContent()).toContain(key);
  });

  it('gives a step a question in five languages, then takes it away with the keyboard, its texts too', async () => {
    const { dialog } = content();
    // A step of texts that asks nothing yet, and words for its question from another step's.
    const [id] = Object.entries(dialog.nodes).find(([, node]) => !isFormNode(node) && !node.prompt)!;
    const asked = Object.values(dialog.nodes).find((node) => !isFormNode(node) && node.prompt) as MessageNode;
    const lead = await new StudioClient(running.bot.url).as('editor');
    const prompt = async () =>
      ((await (await lead.call('GET', `/studio/api/steps/${id}`)).json()) as { step: MessageNode }).step.prompt;
    const name = say('structure.prompt');

    const page = await signedIn();
    await page.locator(`button.step[data-step="${id}"]`).first().click();
    await page.getByRole('heading', { name: say('structure.title', { step: id }) }).waitFor();
    for (const language of LANGUAGES)
      await page
        .getByLabel(say('structure.textIn', { name, language: say.language(language) }))
        .fill(`${contentText(language, asked.prompt!)} (${id})`);
    await page.getByRole('button', { name: say('structure.save') }).click();
    await page.getByText(say('editor.saved'), { exact: true }).waitFor({ timeout: 60_000 });
    const key = await prompt();
    expect(key?.startsWith(`${id}.`)).toBe(true);
    expect((await lead.getText('fr', key!)).text).toBe(`${contentText('fr', asked.prompt!)} (${id})`);

    // Drawn again from the draft: the question is named; Remove, then Save, with the keyboard.
    await page.getByText(say('structure.textIs', { key: key! })).waitFor();
    await page.getByRole('button', { name: say('structure.removeLabel', { name }) }).focus();
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('lang'))).toBe(LANGUAGES[0]);
    await page.getByRole('button', { name: say('structure.save') }).focus();
    await page.keyboard.press('Enter');
    await page.getByText(say('structure.textIs', { key: key! })).waitFor({ state: 'detached', timeout: 60_000 });
    expect(await prompt()).toBeUndefined();
    expect((await lead.call('GET', `/studio/api/texts/fr/${encodeURIComponent(key!)}`)).status).toBe(404);
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('warns, naming it, when a new topic takes "I can\'t log in to my results account" from a topic', async () => {
    const message = "I can't log in to my results account";
    // The message is an example of the topic the draft understands it as (as a lead teaches it from the inbox).
    const lead = await new StudioClient(running.bot.url).as('editor');
    const tried = (await (await lead.call('POST', '/studio/api/try', { text: message })).json()) as {
      intents: Array<{ intent: string }>;
    };
    const owner = tried.intents[0]!.intent.replace(/^topic:/, '');
    const read = (await (await lead.call('GET', `/studio/api/examples/en/${owner}`)).json()) as {
      examples: string[];
      etag: string;
    };
    const taught = [...read.examples, message];
    expect(
      (await lead.call('PUT', `/studio/api/examples/en/${owner}`, { examples: taught }, { 'if-match': read.etag }))
        .status,
    ).toBe(200);

    // A new topic whose examples read like that topic's: its own with a word added, and ways of saying the message,
    // as many as the model the content teaches needs to place the message there.
    const examples = await capturingTopic(owner, message, 'loginTrouble', taught);
    const page = await signedIn();
    await page.getByRole('button', { name: say('newTopic.title') }).click();
    await page.getByLabel(say('newTopic.name')).fill('loginTrouble');
    for (const language of LANGUAGES) {
      const called = { language: say.language(language) };
      await page.getByLabel(say('newTopic.buttonIn', called)).fill(`${owner} ${language} ?`);
      await page.getByLabel(say('newTopic.saysIn', called)).fill(`${owner} (${language}).`);
      await page.getByLabel(say('newTopic.examplesIn', called)).fill(examples[language].join('\n'));
    }
    await page.getByRole('button', { name: say('newTopic.check') }).click();
    const warning = page.locator('#new-topic-result .capture');
    await warning.waitFor({ timeout: 60_000 });
    expect(await warning.getAttribute('role')).toBe('alert');
    await warning
      .getByText(
        say('structure.capturedExample', {
          text: message,
          language: say.language('en'),
          from: owner,
          topic: 'loginTrouble',
        }),
      )
      .waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(ARTIFACTS, 'studio-capture-warning.png'), fullPage: true });

    // A step's buttons moved with the keyboard: the moved button's "Move down" keeps the focus.
    const { dialog } = content();
    const first = (dialog.nodes[dialog.start] as { choices: Array<{ label: string }> }).choices[0]!.label;
    await page.locator(`button.step[data-step="${dialog.start}"]`).first().click();
    const moveDown = say('structure.moveDownLabel', { name: say('structure.buttonName', { label: first }) });
    const down = page.getByRole('button', { name: moveDown });
    await down.focus();
    await page.keyboard.press('Enter');
    await page
      .locator('#structure .choices li')
      .nth(1)
      .getByText(say('structure.leadsTo', { number: 2, label: first }))
      .waitFor();
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(moveDown);
    expect(await seriousViolations(page)).toEqual([]);
  });
});
