import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { isFormNode, type FormNode, type MessageNode } from '../../src/content/dialogSchema';
import { ACCOUNT_CALLS } from '../../src/dialog/accountCalls';
import { LANGUAGES } from '../../src/dialog/languages';
import { ARTIFACTS, seriousViolations } from '../support/browser';
import { content } from '../support/helpers';
import { newTopic } from '../support/newTopic';
import { startStudioBot, StudioClient, studioDataDir } from '../support/studioClient';
import { contentText, signedInStudio, stateAfter } from '../support/studioPage';
import { studioSays } from '../support/studioWords';
import { botAndBrowser } from './pageHelpers';

jest.setTimeout(240_000);

/** The page's English words, from the content: a lead's rewording does not break the test. */
const say = studioSays('en');

/** The content's steps, found by what they are (never by name): the tests follow a lead's edits. */
function stepsOfContent() {
  const { dialog } = content();
  const entries = Object.entries(dialog.nodes);
  const forms = entries.filter((entry): entry is [string, FormNode] => isFormNode(entry[1]));
  const messages = entries.filter((entry): entry is [string, MessageNode] => !isFormNode(entry[1]));
  return { dialog, forms, messages };
}

/** A step as the draft has it now, read through the API. */
async function draftStep(url: string, id: string) {
  const lead = await new StudioClient(url).as('editor');
  const read = (await (await lead.call('GET', `/studio/api/steps/${id}`)).json()) as { step: Record<string, unknown> };
  return { step: read.step, text: (key: string) => lead.getText('de', key).then((each) => each.text) };
}

describe("a step's every field on the studio page in Chromium", () => {
  const running = botAndBrowser('en-GB', async () => startStudioBot({ STUDIO_DATA_DIR: await studioDataDir() }));
  const signedIn = () => signedInStudio(running.browser, running.bot.url);
  /** The step's structure opened from the tree of steps. */
  async function openStep(page: Page, id: string) {
    await page.locator(`button.step[data-step="${id}"]`).first().click();
    await page.getByRole('heading', { name: say('structure.title', { step: id }) }).waitFor();
  }

  /** The fields as filled pass axe's check, and the structure is saved. */
  async function saveStructure(page: Page) {
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('button', { name: say('structure.save') }).click();
    await page
      .locator('#structure-result')
      .getByText(say('editor.saved'), { exact: true })
      .waitFor({ timeout: 60_000 });
  }

  /** The label of one language's box of a five-language text field. */
  const box = (name: string, language: (typeof LANGUAGES)[number]) =>
    say('structure.textIn', { name, language: say.language(language) });

  it('turns a new menu topic into a form (question, action, results, error text), published and reached', async () => {
    const { forms } = stepsOfContent();
    // The action that needs the fewest answers, and a form of the content that calls it: its questions' validators
    // and texts, where its results lead, what it says when the service can't be reached.
    const [action, call] = Object.entries(ACCOUNT_CALLS).sort((a, b) => a[1].inputs.length - b[1].inputs.length)[0]!;
    const [, model] = forms.find(([, form]) => form.action === action)!;
    const topic = newTopic();
    const labelKey = Object.keys(topic.texts).find((key) => key.includes('.choice.'))!;
    const bodyKey = Object.keys(topic.texts).find((key) => key !== labelKey)!;

    const page = await signedIn();
    // A menu topic with its button and text (no examples yet: it is reached by its button).
    await page.getByRole('button', { name: say('newTopic.title') }).click();
    await page.getByLabel(say('newTopic.name')).fill(topic.id);
    for (const language of LANGUAGES) {
      const called = { language: say.language(language) };
      await page.getByLabel(say('newTopic.buttonIn', called)).fill(topic.texts[labelKey]![language]);
      await page.getByLabel(say('newTopic.saysIn', called)).fill(topic.texts[bodyKey]![language]);
    }
    await page.getByRole('button', { name: say('newTopic.add') }).click();
    await page.getByText(say('newTopic.added', { topic: topic.id })).waitFor({ timeout: 60_000 });

    await openStep(page, topic.id);
    // With the keyboard: an arrow key picks the other kind, and the redrawn panel keeps the focus on it.
    await page.getByLabel(say('structure.kindMessage'), { exact: true }).focus();
    await page.keyboard.press('ArrowDown');
    await page.getByLabel(say('structure.action'), { exact: true }).waitFor();
    expect(await page.getByLabel(say('structure.kindForm')).isChecked()).toBe(true);
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.value)).toBe('form');
    for (const slot of call.inputs) {
      const question = model.ask.find((each) => each.slot === slot)!;
      await page.getByLabel(say('structure.answerNamed'), { exact: true }).fill(slot);
      await page.getByLabel(say('structure.checkedAs'), { exact: true }).selectOption(question.validator);
      for (const language of LANGUAGES)
        await page
          .getByLabel(say('structure.newQuestionIn', { language: say.language(language) }))
          .fill(contentText(language, question.prompt));
      await page.getByRole('button', { name: say('structure.addTheQuestion') }).click();
    }
    // The action's results appear once it is chosen, each with where it leads.
    await page.getByLabel(say('structure.action'), { exact: true }).selectOption(action);
    for (const result of call.outcomes)
      await page
        .getByLabel(say('structure.outcomeLeadsTo', { name: result }), { exact: true })
        .selectOption(model.outcomes[result]!);
    for (const language of LANGUAGES)
      await page.getByLabel(box(say('structure.onError'), language)).fill(contentText(language, model.onError));
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'studio-form.png'), fullPage: true });
    await saveStructure(page);
    const { step } = await draftStep(running.bot.url, topic.id);
    expect(step).toMatchObject({ topic: topic.id, action, outcomes: model.outcomes });
    expect((step.ask as Array<{ slot: string }>).map((question) => question.slot)).toEqual(call.inputs);
    expect(step).not.toHaveProperty('say');

    await page.getByLabel(say('publish.message')).fill('The new topic asks and calls the account service');
    await page.getByRole('button', { name: say('publish.button') }).click();
    await page.getByText(say.pattern('publish.published')).waitFor({ timeout: 180_000 });

    // A fresh German conversation: the menu's new button starts the form at its first question.
    await stateAfter(running.bot.url, 'form-de', { type: 'event', name: 'webchat/join', value: { language: 'de' } });
    const reached = await stateAfter(running.bot.url, 'form-de', { text: topic.texts[labelKey]!.de });
    expect(reached).toMatchObject({ topic: topic.id, state: `${topic.id}.${call.inputs[0]}` });
  });

  it('adds a way out and removes an intro on a form; sets then, final and goodbye on a step', async () => {
    const { dialog, forms, messages } = stepsOfContent();
    // A form that says something when it starts, a question of it with no way out, and where another question's
    // way out leads (with its button's words).
    const [form, node] = forms.find(([, each]) => each.intro && each.ask.some((question) => !question.missing))!;
    const question = node.ask.find((each) => !each.missing)!;
    const wayOut = forms.flatMap(([, each]) => each.ask).find((each) => each.missing)!.missing!;
    // A step that carries on nowhere yet, is not final and has no goodbye; and the content's goodbye words.
    const [plain] =
      messages.find(
        ([id, each]) => id !== dialog.start && !each.then && !each.final && !each.goodbye && each.choices.length === 0,
      ) ?? messages.find(([id, each]) => id !== dialog.start && !each.then && !each.final && !each.goodbye)!;
    const goodbye = messages.find(([, each]) => each.goodbye)![1].goodbye!;

    const page = await signedIn();
    await openStep(page, form);
    await page.getByLabel(say('structure.wayOut', { slot: question.slot }), { exact: true }).selectOption(wayOut.goto);
    const wayOutLabel = say('structure.wayOutLabel', { slot: question.slot });
    for (const language of LANGUAGES)
      await page.getByLabel(box(wayOutLabel, language)).fill(contentText(language, wayOut.label));
    // The text said when the form starts, taken away with the keyboard: its five boxes take its place, empty.
    await page.getByRole('button', { name: say('structure.removeLabel', { name: say('structure.intro') }) }).focus();
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(
      box(say('structure.intro'), 'en'),
    );
    await saveStructure(page);
    const withWayOut = await draftStep(running.bot.url, form);
    const saved = (withWayOut.step.ask as Array<{ slot: string; missing?: { label: string; goto: string } }>).find(
      (each) => each.slot === question.slot,
    )!;
    expect(saved.missing?.goto).toBe(wayOut.goto);
    expect(await withWayOut.text(saved.missing!.label)).toBe(contentText('de', wayOut.label));
    expect(withWayOut.step).not.toHaveProperty('intro');

    await openStep(page, plain);
    await page.getByLabel(say('structure.then'), { exact: true }).selectOption(dialog.start);
    await page.getByLabel(say('structure.final'), { exact: true }).check();
    for (const language of LANGUAGES)
      await page.getByLabel(box(say('structure.goodbye'), language)).fill(contentText(language, goodbye));
    await saveStructure(page);
    const changed = await draftStep(running.bot.url, plain);
    expect(changed.step).toMatchObject({ then: dialog.start, final: true });
    expect(await changed.text(changed.step.goodbye as string)).toBe(contentText('de', goodbye));

    // Drawn again from the draft: the fields show what was saved.
    expect(await page.getByLabel(say('structure.then'), { exact: true }).inputValue()).toBe(dialog.start);
    expect(await page.getByLabel(say('structure.final'), { exact: true }).isChecked()).toBe(true);
    await page.getByText(say('structure.textIs', { key: changed.step.goodbye as string })).waitFor();
  });

  it('shows a problem by its field: a result leading nowhere, a summary without its texts; nothing saved', async () => {
    const { forms } = stepsOfContent();
    const [form, node] = forms.find(
      ([, each]) => ACCOUNT_CALLS[each.action as keyof typeof ACCOUNT_CALLS] && !each.confirm,
    )!;
    const result = ACCOUNT_CALLS[node.action as keyof typeof ACCOUNT_CALLS].outcomes[0];
    const before = await draftStep(running.bot.url, form);

    const page = await signedIn();
    await openStep(page, form);
    const select = page.getByLabel(say('structure.outcomeLeadsTo', { name: result }), { exact: true });
    await select.selectOption('');
    await page.getByRole('button', { name: say('structure.save') }).click();
    const problem = page.locator(`#structure [data-field="nodes.${form}.outcomes"] .problem`);
    await problem.first().waitFor({ timeout: 60_000 });
    expect(await problem.first().textContent()).toContain(result);
    // The select is described by the problem, so a screen reader says it with the field.
    const described = (await select.getAttribute('aria-describedby')) ?? '';
    expect(described.split(' ')).toContain(await problem.first().getAttribute('id'));
    expect(await seriousViolations(page)).toEqual([]);

    // A summary asks for its own texts and, on each question, the button that changes the answer.
    await select.selectOption(node.outcomes[result]!);
    await page.getByLabel(say('structure.confirm'), { exact: true }).check();
    await page.getByRole('button', { name: say('structure.save') }).click();
    await page.locator(`#structure [data-field="nodes.${form}.confirm.summary"] .problem`).waitFor({ timeout: 60_000 });
    expect(await page.locator(`#structure [data-field="nodes.${form}.outcomes"] .problem`).count()).toBe(0);
    // With the summary's texts (another form's), what each question still lacks is shown by the question.
    const { confirm } = forms.find(([, each]) => each.confirm)![1];
    for (const language of LANGUAGES) {
      await page.getByLabel(box(say('structure.summary'), language)).fill(contentText(language, confirm!.summary));
      await page.getByLabel(box(say('structure.send'), language)).fill(contentText(language, confirm!.send));
    }
    await page.getByRole('button', { name: say('structure.save') }).click();
    for (const index of node.ask.keys())
      await page
        .locator(`#structure [data-field="nodes.${form}.ask[${index}]"] > .problem`)
        .waitFor({ timeout: 60_000 });
    expect(await seriousViolations(page)).toEqual([]);
    await page.locator('#structure').screenshot({ path: path.join(ARTIFACTS, 'studio-form-problems.png') });
    expect((await draftStep(running.bot.url, form)).step).toEqual(before.step);
  });
});
