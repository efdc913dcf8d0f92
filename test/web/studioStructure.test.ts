import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { RunningBot } from '../../src/index';
import { LANGUAGES } from '../../src/dialog/languages';
import { activity } from '../support/activities';
import { ARTIFACTS, launchBrowser, seriousViolations } from '../support/browser';
import { content } from '../support/helpers';
import { EMAILS, PASSWORDS, startStudioBot, StudioClient, studioDataDir } from '../support/studioClient';
import { newTopic } from '../support/newTopic';

jest.setTimeout(180_000);

const LANGUAGE_NAMES = { en: 'English', es: 'Spanish', it: 'Italian', fr: 'French', de: 'German' } as const;

/** One turn over /api/messages, as a channel posts it: the dialog state the bot reports. */
async function turn(url: string, conversation: string, fields: Record<string, unknown>) {
  const response = await fetch(`${url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(activity(conversation, { locale: 'de-DE', ...fields })),
  });
  const body = (await response.json()) as { activities?: Array<{ type: string; value?: unknown }> };
  return (body.activities ?? []).find((each) => each.type === 'trace')?.value as
    { topic: string; state: string } | undefined;
}

describe('structure editing on the studio page in Chromium', () => {
  let bot: RunningBot;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  beforeAll(async () => {
    bot = await startStudioBot({ STUDIO_DATA_DIR: await studioDataDir() });
    browser = await launchBrowser('en-GB');
  });
  afterAll(async () => {
    await browser?.dispose();
    await bot?.close();
  });

  /** The studio page, signed in afresh as a publisher. */
  async function signedIn() {
    const page = browser.pages()[0] ?? (await browser.newPage());
    await page.context().clearCookies();
    await page.setViewportSize({ width: 1400, height: 1000 });
    await page.goto(`${bot.url}/studio`);
    await page.getByLabel('Email address').fill(EMAILS.publisher);
    await page.getByLabel('Password').fill(PASSWORDS.publisher);
    await page.getByLabel('Password').press('Enter');
    await page.getByRole('heading', { name: 'The conversation' }).waitFor();
    return page;
  }

  it('adds a menu topic with examples in five languages and publishes it; German typing reaches it', async () => {
    const topic = newTopic();
    const labelKey = Object.keys(topic.texts).find((key) => key.includes('.choice.'))!;
    const bodyKey = Object.keys(topic.texts).find((key) => key !== labelKey)!;
    const page = await signedIn();

    // With the keyboard: the button that opens the form, then the form's first field has the focus.
    await page.getByRole('button', { name: 'Add a menu topic' }).focus();
    await page.keyboard.press('Enter');
    const name = page.getByLabel('Name of the new step (letters and digits)');
    await name.waitFor();
    expect(await name.evaluate((field) => field === document.activeElement)).toBe(true);
    await page.keyboard.type(topic.id);
    for (const language of LANGUAGES) {
      const called = LANGUAGE_NAMES[language];
      await page.getByLabel(`Menu button in ${called}`).fill(topic.texts[labelKey]![language]);
      await page.getByLabel(`What the step says in ${called}`).fill(topic.texts[bodyKey]![language]);
      await page.getByLabel(`What candidates type in ${called}`).fill(topic.examples[language].join('\n'));
    }
    await page.getByRole('button', { name: 'Check the topic' }).click();
    await page.getByText('No problems: the topic can be added.').waitFor({ timeout: 60_000 });
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByRole('button', { name: 'Add the topic to the draft' }).click();
    await page.getByText(`The topic "${topic.id}" is on the menu of the draft.`).waitFor({ timeout: 60_000 });
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'studio-new-topic.png'), fullPage: true });

    // The new step is in the tree; its structure and examples open beside its texts.
    await page.locator(`button.step[data-step="${topic.id}"]`).first().click();
    await page.getByRole('heading', { name: `Structure of "${topic.id}"` }).waitFor();
    await page.getByLabel('Examples in German').waitFor();
    await page.waitForFunction(
      ([id, count]) =>
        (document.getElementById(`examples-${id}-de`) as HTMLTextAreaElement | null)?.value.split('\n').length ===
        count,
      [topic.id, topic.examples.de.length] as const,
    );
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(ARTIFACTS, 'studio-structure.png'), fullPage: true });

    await page.getByLabel('What changed').fill('A menu topic: the website does not load');
    await page.getByRole('button', { name: 'Publish the draft' }).click();
    await page.getByText(/^Published as version \d+\. It is live now\.$/).waitFor({ timeout: 120_000 });

    // A fresh German conversation over /api/messages: typing one of the examples leads to the new step.
    const opened = await turn(bot.url, 'structure-de', {
      type: 'event',
      name: 'webchat/join',
      value: { language: 'de' },
    });
    expect(opened?.state).toBeDefined();
    const reached = await turn(bot.url, 'structure-de', { text: topic.examples.de[0] });
    expect(reached).toMatchObject({ topic: topic.id, state: topic.id });
  });

  it('warns, naming it, when a new topic takes "I can\'t log in to my results account" from a topic', async () => {
    const message = "I can't log in to my results account";
    // The message is an example of the topic the draft understands it as (as a lead teaches it from the inbox).
    const lead = await new StudioClient(bot.url).as('editor');
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

    // A new topic whose examples read like that topic's: its own with a word added, and ways of saying the message.
    const { examples } = content();
    const like = (language: (typeof LANGUAGES)[number]) =>
      examples.byLanguage[language].topics[owner]!.slice(0, 40).map((text) => `${text} ok`);
    const english = [
      ...like('en').slice(0, 35),
      "help, I can't log in to my results account",
      "I still can't log in to my results account",
      "why can't I log in to my results account",
      "can't log in to my results account today",
      "I can't log in to the results account at all",
    ];
    const page = await signedIn();
    await page.getByRole('button', { name: 'Add a menu topic' }).click();
    await page.getByLabel('Name of the new step (letters and digits)').fill('loginTrouble');
    for (const language of LANGUAGES) {
      const called = LANGUAGE_NAMES[language];
      await page.getByLabel(`Menu button in ${called}`).fill(`${owner} ${language} ?`);
      await page.getByLabel(`What the step says in ${called}`).fill(`${owner} (${language}).`);
      await page
        .getByLabel(`What candidates type in ${called}`)
        .fill((language === 'en' ? english : like(language)).join('\n'));
    }
    await page.getByRole('button', { name: 'Check the topic' }).click();
    const warning = page.locator('#new-topic-result .capture');
    await warning.waitFor({ timeout: 60_000 });
    expect(await warning.getAttribute('role')).toBe('alert');
    await warning.getByText(`“${message}” (English, an example of ${owner}) → loginTrouble`).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(ARTIFACTS, 'studio-capture-warning.png'), fullPage: true });

    // A step's buttons moved with the keyboard: the moved button's "Move down" keeps the focus.
    const { dialog } = content();
    const first = (dialog.nodes[dialog.start] as { choices: Array<{ label: string }> }).choices[0]!.label;
    await page.locator(`button.step[data-step="${dialog.start}"]`).first().click();
    const down = page.getByRole('button', { name: `Move down: button ${first}` });
    await down.focus();
    await page.keyboard.press('Enter');
    await page.locator('#structure li').nth(1).getByText(`Button 2 (${first}) leads to`).waitFor();
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(
      `Move down: button ${first}`,
    );
    expect(await seriousViolations(page)).toEqual([]);
  });
});
