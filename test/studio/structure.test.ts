import { isFormNode, type FormNode, type MessageNode } from '../../src/content/dialogSchema';
import { ACCOUNT_CALLS } from '../../src/dialog/accountCalls';
import { LANGUAGES, type Language } from '../../src/dialog/languages';
import type { RunningBot } from '../../src/index';
import { Contract } from '../support/contract';
import { capturingTopic } from '../support/capturingTopic';
import { newTopic } from '../support/newTopic';
import { content } from '../support/helpers';
import { serverSays } from '../support/studioWords';
import { startStudioBot, StudioClient, studioDataDir } from '../support/studioClient';
import { contentText } from '../support/studioPage';
import { FileStudioStore } from '../../src/studio/store';
import type { Snapshot } from '../../src/studio/snapshot';

jest.setTimeout(120_000);

type Problem = { field: string; message: string };
type Structure = {
  start: string;
  menu: string[];
  validators: Record<string, string>;
  actions: Record<string, { inputs: string[]; outcomes: string[] }>;
  steps: Record<string, { step: Record<string, unknown>; etag: string }>;
  examples: Record<string, Partial<Record<Language, number>>>;
  etag: string;
};
type Capture = { topic: string; from: string; language: Language; text: string; kind: string };

const json = async <T>(response: Response) => (await response.json()) as T;

/** Steps of the content, found by what they are (never by name): tests follow a lead's edits. */
function stepsOfContent() {
  const { dialog } = content();
  const entries = Object.entries(dialog.nodes);
  const messages = entries.filter((entry): entry is [string, MessageNode] => !isFormNode(entry[1]));
  const forms = entries.filter((entry): entry is [string, FormNode] => isFormNode(entry[1]));
  // A step whose buttons can be moved, with one leading where another step's button leads too (so it can go).
  const linkedElsewhere = (id: string, goto: string) =>
    messages.some(([other, node]) => other !== id && node.choices.some((choice) => choice.goto === goto));
  // Not the one a typed yes or no picks, either.
  const canGo = (node: MessageNode, id: string, goto: string) =>
    linkedElsewhere(id, goto) && goto !== node.yes && goto !== node.no;
  const [withChoices, chosen] = messages.find(
    ([id, node]) =>
      id !== dialog.start && node.choices.length >= 3 && node.choices.some((choice) => canGo(node, id, choice.goto)),
  )!;
  const removable = chosen.choices.findIndex((choice) => canGo(chosen, withChoices, choice.goto));
  const [form] = forms.find(([, node]) => node.ask.length >= 2)!;
  // A step another step names in a way removing it cannot undo: a form's outcome.
  const outcome = forms.flatMap(([id, node]) =>
    Object.entries(node.outcomes).map(([name, to]) => ({ id, name, to })),
  )[0]!;
  return { start: dialog.start, withChoices, removable, form, outcome };
}

describe('structure editing in the studio API', () => {
  let bot: RunningBot;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await studioDataDir();
    bot = await startStudioBot({ STUDIO_DATA_DIR: dataDir });
  });

  /** The draft's files as the studio keeps them, to compare byte for byte. */
  const draftFiles = async () =>
    (JSON.parse((await new FileStudioStore(dataDir).get('draft'))!) as { files: Snapshot }).files;
  afterAll(async () => bot?.close());

  const structure = async (client: StudioClient) => json<Structure>(await client.call('GET', '/studio/api/structure'));

  it('shows the structure (steps as written, the menu, validators, example counts) when signed in', async () => {
    expect((await fetch(`${bot.url}/studio/api/structure`)).status).toBe(401);
    const client = await new StudioClient(bot.url).as('editor');
    const read = await structure(client);
    const { dialog, examples } = content();
    expect(read.start).toBe(dialog.start);
    expect(Object.keys(read.steps).sort()).toEqual(Object.keys(dialog.nodes).sort());
    expect(Object.keys(read.validators).sort()).toEqual(Object.keys(dialog.validators).sort());
    // The actions a form may name, with the answers each needs and the results it ends in, as the content code knows.
    expect(read.actions).toEqual(
      Object.fromEntries(
        Object.entries(ACCOUNT_CALLS).map(([name, call]) => [
          name,
          { inputs: [...call.inputs], outcomes: [...call.outcomes] },
        ]),
      ),
    );
    const start = dialog.nodes[dialog.start] as MessageNode;
    expect(read.menu).toEqual(start.choices.map((choice) => choice.goto));
    for (const language of LANGUAGES)
      for (const [topic, texts] of Object.entries(examples.byLanguage[language].topics))
        expect(read.examples[topic]?.[language]).toBe(texts.length);
    const step = await client.call('GET', `/studio/api/steps/${dialog.start}`);
    expect(step.headers.get('etag')).toBe(`"${read.steps[dialog.start]!.etag}"`);
    expect((await client.call('GET', '/studio/api/steps/noSuchStep')).status).toBe(404);
  });

  it('adds, moves and removes choices and sets a yes branch; stale etags get 409, broken links 422', async () => {
    const { withChoices, removable, start } = stepsOfContent();
    const editor = await new StudioClient(bot.url).as('editor');
    const { steps, etag: files } = await structure(editor);
    const { step, etag } = steps[withChoices]!;
    const choices = step.choices as Array<{ label: string; goto: string }>;
    const put = (body: unknown, headers: Record<string, string>) =>
      editor.call('PUT', `/studio/api/steps/${withChoices}`, body, headers);

    // Removed: a choice whose step another button leads to as well. Moved: the last first. "yes" picks the first.
    const kept = choices.filter((_, index) => index !== removable);
    const moved = [kept.at(-1)!, ...kept.slice(0, -1)];
    const changed = { ...step, choices: moved, yes: moved[0]!.goto };
    const saved = await put({ step: changed }, { 'if-match': etag });
    expect(saved.status).toBe(200);
    const { etag: next, captures } = await json<{ etag: string; captures: Capture[] }>(saved);
    expect(captures).toEqual([]);
    const read = await json<{ step: Record<string, unknown>; etag: string }>(
      await editor.call('GET', `/studio/api/steps/${withChoices}`),
    );
    expect(read).toEqual({ step: changed, etag: next });

    // The etag read before the save is stale now.
    const stale = await put({ step }, { 'if-match': etag });
    expect(stale.status).toBe(409);
    expect(await json<{ etag: string }>(stale)).toMatchObject({ etag: next });
    expect((await put({ step }, {})).status).toBe(428);

    // A choice that leads nowhere, and a yes that is not a choice: 422, each naming its field.
    const broken = { ...changed, choices: [...moved, { label: moved[0]!.label, goto: 'noSuchStep' }], no: start };
    const refused = await put({ step: broken }, { 'if-match': next });
    expect(refused.status).toBe(422);
    const { problems } = await json<{ problems: Problem[] }>(refused);
    expect(problems).toContainEqual({
      field: `nodes.${withChoices}.choices[${moved.length}].goto`,
      message: expect.stringMatching(/noSuchStep/),
    });
    expect(problems).toContainEqual({ field: `nodes.${withChoices}.no`, message: expect.stringMatching(/choices/) });
    for (const problem of problems) expect(problem.message).not.toMatch(/line \d|:\d+:\d+/);

    // Back as it was: the files too, byte for byte (comments, layout), as a lead would have left them.
    expect((await put({ step }, { 'if-match': next })).status).toBe(200);
    expect((await structure(editor)).steps[withChoices]!.etag).toBe(etag);
    expect((await structure(editor)).etag).toBe(files);
  });

  it("moves a form's questions and refuses a question whose validator the content does not know", async () => {
    const { form } = stepsOfContent();
    const editor = await new StudioClient(bot.url).as('editor');
    const { steps, validators } = await structure(editor);
    const { step, etag } = steps[form]!;
    const ask = step.ask as Array<Record<string, unknown>>;
    const put = (body: unknown, ifMatch: string) =>
      editor.call('PUT', `/studio/api/steps/${form}`, body, { 'if-match': ifMatch });

    const unknown = `${Object.keys(validators).join('')}X`;
    const refused = await put({ step: { ...step, ask: [{ ...ask[0], validator: unknown }, ...ask.slice(1)] } }, etag);
    expect(refused.status).toBe(422);
    expect((await json<{ problems: Problem[] }>(refused)).problems).toContainEqual({
      field: `nodes.${form}.ask[0].validator`,
      message: expect.stringContaining(unknown),
    });

    const swapped = { ...step, ask: [ask[1], ask[0], ...ask.slice(2)] };
    const saved = await put({ step: swapped }, etag);
    expect(saved.status).toBe(200);
    const { etag: next } = await json<{ etag: string }>(saved);
    expect((await put({ step }, next)).status).toBe(200);

    // Added on its own, a step nobody can reach is refused (POST /studio/api/structure adds it with its button);
    // a step that exists cannot be added again.
    const create = (id: string) =>
      editor.call('PUT', `/studio/api/steps/${id}`, { step: { ...step, ask } }, { 'if-none-match': '*' });
    expect((await create(form)).status).toBe(409);
    const alone = await create('formCopy');
    expect(alone.status).toBe(422);
    expect((await json<{ problems: Problem[] }>(alone)).problems).toContainEqual({
      field: 'nodes.formCopy',
      message: expect.stringMatching(
        serverSays('en').pattern('problem.unreachable', { start: content().dialog.start }),
      ),
    });

    // The request's own shape: a step that is not an object.
    const malformed = await put({ step: 'a form' }, etag);
    expect(malformed.status).toBe(422);
    expect((await json<{ problems: Problem[] }>(malformed)).problems[0]!.field).toBe('step');
  });

  /**
   * A step opened for editing: the draft's files before, the step and its etag, a PUT of it, and new words in five
   * languages (its first text's, with `added` after them, so they pass every rule a lead's words must).
   */
  async function editingStep(id: string, added: (language: Language) => string) {
    const editor = await new StudioClient(bot.url).as('editor');
    const before = await draftFiles();
    const read = await json<{ step: MessageNode; etag: string }>(await editor.call('GET', `/studio/api/steps/${id}`));
    const put = (step: unknown, etag: string) =>
      editor.call('PUT', `/studio/api/steps/${id}`, { step }, { 'if-match': etag });
    const words = Object.fromEntries(
      LANGUAGES.map((language) => [language, `${contentText(language, read.step.say[0]!)}${added(language)}`]),
    ) as Record<Language, string>;
    return { editor, before, read, put, words };
  }

  it("adds a text to a step's say list in five languages, moves it, removes it; the files as before", async () => {
    const { dialog } = content();
    // A step the menu's buttons lead to that says texts, and the button's German words that lead there.
    const menu = dialog.nodes[dialog.start] as MessageNode;
    const choice = menu.choices.find((each) => !isFormNode(dialog.nodes[each.goto]!))!;
    const id = choice.goto;
    const { editor, before, read, put, words } = await editingStep(id, (language) => ` (${language}, 2)`);

    // A language left out: refused, naming the list's entry and the language, nothing saved.
    const withoutGerman = Object.fromEntries(Object.entries(words).filter(([language]) => language !== 'de'));
    const partial = await put(
      { ...read.step, say: [read.step.say[0], { newText: withoutGerman }, ...read.step.say.slice(1)] },
      read.etag,
    );
    expect(partial.status).toBe(422);
    expect((await json<{ problems: Problem[] }>(partial)).problems).toEqual([
      {
        field: `nodes.${id}.say[1]`,
        message: serverSays('en')('problem.newTextLanguages', { languages: serverSays('en').language('de') }),
      },
    ]);
    // Not a text: refused, naming the entry.
    const notText = await put({ ...read.step, say: [read.step.say[0], { newText: 'hello' }] }, read.etag);
    expect(notText.status).toBe(422);
    expect((await json<{ problems: Problem[] }>(notText)).problems.map((problem) => problem.field)).toContain(
      `nodes.${id}.say[1]`,
    );
    // In the page's language.
    const inGerman = await editor.call(
      'PUT',
      `/studio/api/steps/${id}`,
      { step: { ...read.step, say: [read.step.say[0], { newText: withoutGerman }] } },
      { 'if-match': read.etag, 'accept-language': 'de' },
    );
    expect((await json<{ problems: Problem[] }>(inGerman)).problems).toEqual([
      {
        field: `nodes.${id}.say[1]`,
        message: serverSays('de')('problem.newTextLanguages', { languages: serverSays('de').language('de') }),
      },
    ]);
    expect(await draftFiles()).toEqual(before);

    // Added second: the studio makes its key from the step's name, a key no text has yet.
    const say = [read.step.say[0], { newText: words }, ...read.step.say.slice(1)];
    const added = await put({ ...read.step, say }, read.etag);
    expect(added.status).toBe(200);
    const withText = await json<{ step: MessageNode; etag: string }>(
      await editor.call('GET', `/studio/api/steps/${id}`),
    );
    const key = withText.step.say[1]!;
    expect(key.startsWith(`${id}.`)).toBe(true);
    expect(Object.values(dialog.nodes).flatMap((node) => JSON.stringify(node).match(/"[^"]+"/g) ?? [])).not.toContain(
      `"${key}"`,
    );
    expect(withText.step.say).toEqual([read.step.say[0], key, ...read.step.say.slice(1)]);
    for (const language of LANGUAGES) expect((await editor.getText(language, key)).text).toBe(words[language]);
    // The etag read before the text was added is stale.
    expect((await put(read.step, read.etag)).status).toBe(409);

    // The draft's preview says it at that step, after the step's first text.
    await editor.call('POST', '/studio/api/preview', { language: 'de', restart: true });
    const reply = await json<{ said: string[]; messages: string[]; trace: { state: string } }>(
      await editor.call('POST', '/studio/api/preview', { language: 'de', text: contentText('de', choice.label) }),
    );
    expect(reply.trace.state).toBe(id);
    expect(reply.said.slice(0, 2)).toEqual([read.step.say[0], key]);
    expect(reply.messages.join('\n')).toContain('(de, 2)');

    // Moved first, then back: the files as they were with the text added.
    const withAdded = await draftFiles();
    const moved = await put({ ...withText.step, say: [key, ...read.step.say] }, withText.etag);
    expect(moved.status).toBe(200);
    const first = await json<{ step: MessageNode; etag: string }>(await editor.call('GET', `/studio/api/steps/${id}`));
    expect(first.step.say).toEqual([key, ...read.step.say]);
    expect((await put(withText.step, first.etag)).status).toBe(200);
    expect(await draftFiles()).toEqual(withAdded);

    // Removed: its texts leave the locale files too, and the files are byte for byte as before.
    const now = await json<{ etag: string }>(await editor.call('GET', `/studio/api/steps/${id}`));
    expect((await put(read.step, now.etag)).status).toBe(200);
    expect(await draftFiles()).toEqual(before);
  });

  it("adds and removes a step's prompt; a text another place uses stays when it is taken away", async () => {
    const { dialog } = content();
    const messages = Object.entries(dialog.nodes).filter(
      (entry): entry is [string, MessageNode] => !isFormNode(entry[1]),
    );
    const [id] = messages.find(([, each]) => !each.prompt && each.say.length > 0)!;
    // A question for a step that asks none, in five languages; one language empty is refused, naming the field.
    const { editor, before, read, put, words } = await editingStep(id, () => ' ?');
    const empty = await put({ ...read.step, prompt: { newText: { ...words, fr: ' ' } } }, read.etag);
    expect(empty.status).toBe(422);
    expect((await json<{ problems: Problem[] }>(empty)).problems).toEqual([
      {
        field: `nodes.${id}.prompt`,
        message: serverSays('en')('problem.newTextLanguages', { languages: serverSays('en').language('fr') }),
      },
    ]);
    const added = await put({ ...read.step, prompt: { newText: words } }, read.etag);
    expect(added.status).toBe(200);
    const withPrompt = await json<{ step: MessageNode; etag: string }>(
      await editor.call('GET', `/studio/api/steps/${id}`),
    );
    expect(withPrompt.step.prompt?.startsWith(`${id}.`)).toBe(true);
    expect((await editor.getText('it', withPrompt.step.prompt!)).text).toBe(words.it);
    expect((await put(read.step, withPrompt.etag)).status).toBe(200);
    expect(await draftFiles()).toEqual(before);

    // Another step's text named as this step's prompt, then taken away again: the text stays for the other step.
    const [, other] = messages.find(([name, each]) => name !== id && each.prompt)!;
    const borrowed = await put({ ...read.step, prompt: other.prompt }, read.etag);
    expect(borrowed.status).toBe(200);
    const { etag } = await json<{ etag: string }>(borrowed);
    expect((await put(read.step, etag)).status).toBe(200);
    expect((await editor.getText('de', other.prompt!)).text).toBe(contentText('de', other.prompt!));
    expect(await draftFiles()).toEqual(before);
  });

  it('renames a step everywhere it is named, and refuses a name that is taken', async () => {
    const { withChoices, start } = stepsOfContent();
    const editor = await new StudioClient(bot.url).as('editor');
    const before = await structure(editor);
    const linking = Object.entries(before.steps).filter(([, { step }]) => targetsOf(step).includes(withChoices));
    expect(linking.length).toBeGreaterThan(0);
    const rename = (id: string, to: string, etag: string) =>
      editor.call('POST', `/studio/api/steps/${id}/rename`, { to }, { 'if-match': etag });

    const taken = await rename(withChoices, start, before.steps[withChoices]!.etag);
    expect(taken.status).toBe(422);
    expect((await json<{ problems: Problem[] }>(taken)).problems).toEqual([
      { field: 'to', message: expect.stringContaining(start) },
    ]);
    expect((await rename(withChoices, 'renamedStep', 'stale')).status).toBe(409);

    const renamed = await rename(withChoices, 'renamedStep', before.steps[withChoices]!.etag);
    expect(renamed.status).toBe(200);
    const after = await structure(editor);
    expect(after.steps[withChoices]).toBeUndefined();
    expect((await json<{ etag: string }>(renamed)).etag).toBe(after.steps.renamedStep!.etag);
    for (const [id] of linking) {
      const now = targetsOf(after.steps[id === withChoices ? 'renamedStep' : id]!.step);
      expect(now).not.toContain(withChoices);
      expect(now).toContain('renamedStep');
    }
    expect(after.examples.renamedStep).toEqual(before.examples[withChoices]);
    expect((await rename('renamedStep', withChoices, after.steps.renamedStep!.etag)).status).toBe(200);
    expect((await structure(editor)).etag).toBe(before.etag);
  });

  it('removes a step with its buttons; a step a form leads to is refused, naming the field', async () => {
    const { outcome } = stepsOfContent();
    const editor = await new StudioClient(bot.url).as('editor');
    const { steps } = await structure(editor);
    const refused = await editor.call('DELETE', `/studio/api/steps/${outcome.to}`, undefined, {
      'if-match': steps[outcome.to]!.etag,
    });
    expect(refused.status).toBe(422);
    expect((await json<{ problems: Problem[] }>(refused)).problems).toContainEqual({
      field: `nodes.${outcome.id}.outcomes.${outcome.name}`,
      message: expect.stringContaining(outcome.to),
    });
    expect(
      (await editor.call('DELETE', `/studio/api/steps/${outcome.to}`, undefined, { 'if-match': 'x' })).status,
    ).toBe(409);
  });

  it('adds a menu topic with its step, texts and examples in five languages in one change; removes it', async () => {
    const topic = newTopic();
    const editor = await new StudioClient(bot.url).as('editor');
    const before = await structure(editor);
    const menu = before.steps[before.start]!.step as { choices: Array<{ label: string; goto: string }> };
    const label = Object.keys(topic.texts).find((key) => key.startsWith('menu.'))!;
    const body = Object.keys(topic.texts).find((key) => key !== label)!;
    const solved = Object.entries(before.steps).find(([, { step }]) => 'goodbye' in step)?.[0] ?? before.start;
    const step = { topic: topic.id, say: [body], choices: [{ label: 'common:choice.solved', goto: solved }] };
    const changes: Array<Record<string, unknown>> = [
      { op: 'setStep', id: topic.id, step, texts: topic.texts },
      {
        op: 'setStep',
        id: before.start,
        step: { ...menu, choices: [...menu.choices, { label, goto: topic.id }] },
      },
      ...LANGUAGES.map((language) => ({
        op: 'setExamples',
        language,
        topic: topic.id,
        examples: topic.examples[language],
      })),
    ];

    // Examples in German only: every other language lacks them, each named.
    const partial = changes.filter((change) => change.op !== 'setExamples' || change.language === 'de');
    const checked = await json<{ problems: Problem[] }>(
      await editor.call('POST', '/studio/api/structure/check', { changes: partial }),
    );
    for (const language of LANGUAGES.filter((each) => each !== 'de'))
      expect(checked.problems).toContainEqual({
        field: `examples.${language}.topics.${topic.id}`,
        message: expect.stringMatching(/example/),
      });
    const refused = await editor.call(
      'POST',
      '/studio/api/structure',
      { changes: partial },
      { 'if-match': before.etag },
    );
    expect(refused.status).toBe(422);

    const saved = await editor.call('POST', '/studio/api/structure', { changes }, { 'if-match': before.etag });
    expect(saved.status).toBe(200);
    const after = await structure(editor);
    expect(after.menu).toEqual([...before.menu, topic.id]);
    for (const language of LANGUAGES)
      expect(after.examples[topic.id]?.[language]).toBe(topic.examples[language].length);
    expect((await editor.getText('de', body)).text).toBe(topic.texts[body]!.de);
    expect((await editor.call('POST', '/studio/api/structure', { changes }, { 'if-match': before.etag })).status).toBe(
      409,
    );

    // The draft's model takes one of the examples for the new topic.
    const tried = await json<{ intents: Array<{ intent: string }> }>(
      await editor.call('POST', '/studio/api/try', { text: topic.examples.de[0] }),
    );
    expect(tried.intents[0]!.intent).toBe(`topic:${topic.id}`);

    // Removed: its menu button and its examples go with it.
    const removed = await editor.call('DELETE', `/studio/api/steps/${topic.id}`, undefined, {
      'if-match': after.steps[topic.id]!.etag,
    });
    expect(removed.status).toBe(200);
    const end = await structure(editor);
    expect(end.menu).toEqual(before.menu);
    expect(end.examples[topic.id]).toBeUndefined();
  });

  it("sets a topic's examples in a language: too few is a 422 naming the list, a stale etag a 409", async () => {
    const { examples } = content();
    const editor = await new StudioClient(bot.url).as('editor');
    const [topic, texts] = Object.entries(examples.byLanguage.fr.topics)[0]!;
    const read = await json<{ examples: string[]; etag: string }>(
      await editor.call('GET', `/studio/api/examples/fr/${topic}`),
    );
    expect(read.examples).toEqual(texts);
    const put = (list: unknown, etag: string) =>
      editor.call('PUT', `/studio/api/examples/fr/${topic}`, { examples: list }, { 'if-match': etag });

    const few = await put(texts.slice(0, 2), read.etag);
    expect(few.status).toBe(422);
    expect((await json<{ problems: Problem[] }>(few)).problems).toContainEqual({
      field: `examples.fr.topics.${topic}`,
      message: expect.stringMatching(/example/),
    });
    const notText = await put([1, 2], read.etag);
    expect(notText.status).toBe(422);
    expect((await json<{ problems: Problem[] }>(notText)).problems[0]!.field).toBe('examples[0]');

    const added = [...texts, 'un exemple de plus écrit dans le studio'];
    const saved = await put(added, read.etag);
    expect(saved.status).toBe(200);
    const { etag } = await json<{ etag: string }>(saved);
    expect((await put(texts, read.etag)).status).toBe(409);
    expect((await put(texts, etag)).status).toBe(200);
    expect((await editor.call('GET', '/studio/api/examples/xx/anything')).status).toBe(404);
  });

  it('warns when a topic starts to capture others’ messages: "I can\'t log in to my results account"', async () => {
    const message = "I can't log in to my results account";
    const editor = await new StudioClient(bot.url).as('editor');
    // The message as the draft understands it, taught to that topic (as a lead does from the inbox).
    const tried = await json<{ intents: Array<{ intent: string }> }>(
      await editor.call('POST', '/studio/api/try', { text: message }),
    );
    const owner = tried.intents[0]!.intent.replace(/^topic:/, '');
    const current = await json<{ examples: string[]; etag: string }>(
      await editor.call('GET', `/studio/api/examples/en/${owner}`),
    );
    expect(
      (
        await editor.call(
          'PUT',
          `/studio/api/examples/en/${owner}`,
          { examples: [...current.examples, message] },
          { 'if-match': current.etag },
        )
      ).status,
    ).toBe(200);

    // A new topic whose examples read like the owner's: its own with a word added, and ways of saying the message,
    // as many as the model the content teaches needs to place the message there.
    const examples = await capturingTopic(owner, message, 'loginTrouble', [...current.examples, message]);
    const start = (await structure(editor)).start;
    const changes = [
      { op: 'setStep', id: 'loginTrouble', step: { topic: 'loginTrouble', say: [await stepText(editor, start)] } },
      ...LANGUAGES.map((language) => ({
        op: 'setExamples',
        language,
        topic: 'loginTrouble',
        examples: examples[language],
      })),
    ];
    const checked = await json<{ problems: Problem[]; captures: Capture[] }>(
      await editor.call('POST', '/studio/api/structure/check', { changes }),
    );
    expect(checked.problems).toEqual([]);
    expect(checked.captures).toContainEqual({
      topic: 'loginTrouble',
      from: owner,
      language: 'en',
      text: message,
      kind: 'example',
    });
    // The draft is unchanged by a check.
    expect((await structure(editor)).steps.loginTrouble).toBeUndefined();
  });

  it('needs a session and the CSRF token for every change', async () => {
    const editor = await new StudioClient(bot.url).as('editor');
    const { etag, start } = await structure(editor);
    const token = editor.csrfToken;
    editor.csrfToken = '';
    expect((await editor.call('POST', '/studio/api/structure', { changes: [] }, { 'if-match': etag })).status).toBe(
      403,
    );
    expect((await editor.call('POST', `/studio/api/steps/${start}/rename`, { to: 'x' })).status).toBe(403);
    editor.csrfToken = token;
    const empty = await editor.call('POST', '/studio/api/structure', { changes: [] }, { 'if-match': etag });
    expect(empty.status).toBe(422);
    expect((await json<{ problems: Problem[] }>(empty)).problems[0]!.field).toBe('changes');
    expect((await fetch(`${bot.url}/studio/api/steps/${start}`, { method: 'DELETE' })).status).toBe(401);
  });
});

/** The steps a step names: where its buttons, yes/no, then, outcomes and way-outs lead. */
function targetsOf(step: Record<string, unknown>): string[] {
  const {
    choices = [],
    outcomes = {},
    ask = [],
  } = step as {
    choices?: Array<{ goto: string }>;
    outcomes?: Record<string, string>;
    ask?: Array<{ missing?: { goto: string } }>;
  };
  return [
    ...choices.map((choice) => choice.goto),
    ...Object.values(outcomes),
    ...ask.flatMap((question) => (question.missing ? [question.missing.goto] : [])),
    ...(['yes', 'no', 'then'] as const).flatMap((field) => (typeof step[field] === 'string' ? [step[field]] : [])),
  ];
}

/** The first text a step says: a text every language has, for a test step. */
async function stepText(client: StudioClient, id: string): Promise<string> {
  const { step } = (await (await client.call('GET', `/studio/api/steps/${id}`)).json()) as {
    step: { say: string[] };
  };
  return step.say[0]!;
}

describe('the structure routes in api/studio.v1.yaml', () => {
  it('documents every answer the tests above got, status and body', () => {
    const contract = new Contract('studio.v1.yaml');
    const answers = StudioClient.answers.filter((answer) => /structure|steps|examples/.test(answer.route));
    expect(new Set(answers.map((answer) => `${answer.method} ${answer.route}`)).size).toBeGreaterThanOrEqual(9);
    expect(
      answers.flatMap((answer) =>
        contract.check(answer.method, answer.route, answer.status, answer.body, answer.headers),
      ),
    ).toEqual([]);
  });
});
