import { parseDocument } from 'yaml';
import { isFormNode } from '../../src/content/dialogSchema';
import { LANGUAGES, type Language } from '../../src/dialog/languages';
import type { RunningBot } from '../../src/index';
import { FileStudioStore } from '../../src/studio/store';
import { content } from '../support/helpers';
import { swapFirstTopicsExamples, swapMenuChoices } from '../support/refusedDrafts';
import { serverSays } from '../support/studioWords';
import { startStudioBot, StudioClient, studioDataDir } from '../support/studioClient';

jest.setTimeout(180_000); // Publishing runs every check, the conversation tests in five languages among them.

type Problem = { field: string; message: string };
/** A problem of the draft's content as the studio loads it: the file, and the place in it before the message. */
type FileProblem = { file: string; rule: string; message: string };
type Answer = { error: string; message: string; problems: Problem[] };
type Draft = { base: number; files: Record<string, string> };

const DIALOG = 'dialogs/helpdesk.yaml';
const headers = (language: Language) => ({ 'accept-language': language });

/** A studio text as a pattern found anywhere in a message (its placeholders standing for any words). */
const within = (say: ReturnType<typeof serverSays>, key: string, values: Record<string, string> = {}) =>
  new RegExp(say.pattern(key, values).source.replace(/^\^/, '').replace(/\$$/, ''));

/**
 * The content checks that point at a place in a YAML file, a failing conversation test and the understanding
 * check's misunderstood messages, said in the language the page asks for, from the content's own texts.
 */
describe("the content checks' words in the lead's language", () => {
  let bot: RunningBot;
  let store: FileStudioStore;
  let original: Draft;
  beforeAll(async () => {
    const dataDir = await studioDataDir();
    bot = await startStudioBot({ STUDIO_DATA_DIR: dataDir });
    store = new FileStudioStore(dataDir);
    original = JSON.parse((await store.get('draft'))!) as Draft;
  });
  afterEach(async () => store.set('draft', JSON.stringify(original)));
  afterAll(async () => bot?.close());

  /** The draft with one file changed, and what the studio says about the draft's dialog. */
  const draftWith = async (file: string, change: (text: string) => string) =>
    store.set(
      'draft',
      JSON.stringify({ ...original, files: { ...original.files, [file]: change(original.files[file]!) } }),
    );
  const dialogProblems = async (language: Language) => {
    const editor = await new StudioClient(bot.url).as('editor');
    const response = await editor.call('GET', '/studio/api/dialog', undefined, headers(language));
    expect(response.status).toBe(422);
    return ((await response.json()) as { problems: FileProblem[] }).problems;
  };

  it.each(['de', 'fr'] as const)("says a form question's unknown validator beside it in %s", async (language) => {
    const say = serverSays(language);
    const [form, node] = Object.entries(content().dialog.nodes).find(([, each]) => isFormNode(each))!;
    const validator = `${Object.keys(content().dialog.validators).join('')}X`;
    const editor = await new StudioClient(bot.url).as('editor');
    const { step, etag } = (await (await editor.call('GET', `/studio/api/steps/${form}`)).json()) as {
      step: { ask: Array<Record<string, unknown>> };
      etag: string;
    };
    expect(isFormNode(node)).toBe(true);
    const ask = [{ ...step.ask[0], validator }, ...step.ask.slice(1)];
    const response = await editor.call(
      'PUT',
      `/studio/api/steps/${form}`,
      { step: { ...step, ask } },
      { 'if-match': etag, ...headers(language) },
    );
    expect(response.status).toBe(422);
    const { problems } = (await response.json()) as Answer;
    expect(problems).toContainEqual({
      field: `nodes.${form}.ask[0].validator`,
      message: say('problem.noValidator', { validator }),
    });
    const english = serverSays('en')('problem.noValidator', { validator });
    for (const problem of problems) expect(problem.message).not.toContain(english);
  });

  it.each(['de', 'fr'] as const)('says in %s which files lack a text a step says', async (language) => {
    const say = serverSays(language);
    const { start } = content().dialog;
    const key = `${start}.${Object.keys(content().dialog.nodes).join('')}Gone`;
    const files = LANGUAGES.map((each) => `locales/${each}/helpdesk.json`).join(', ');
    await draftWith(DIALOG, (text) => {
      const dialog = parseDocument(text);
      dialog.setIn(['nodes', start, 'say', 0], key);
      return String(dialog);
    });
    const problems = await dialogProblems(language);
    expect(problems).toContainEqual(
      expect.objectContaining({
        file: DIALOG,
        message: `nodes.${start}.say[0]: ${say('problem.textMissingIn', { key, files })}`,
      }),
    );
    const english = serverSays('en')('problem.textMissingIn', { key, files });
    for (const problem of problems) expect(problem.message).not.toContain(english);
  });

  it.each(['de', 'fr'] as const)('says a required field left out of a step in %s', async (language) => {
    const say = serverSays(language);
    const { start } = content().dialog;
    await draftWith(DIALOG, (text) => {
      const dialog = parseDocument(text);
      dialog.deleteIn(['nodes', start, 'say']);
      return String(dialog);
    });
    const place = `nodes.${start}.say: `;
    const problem = (await dialogProblems(language)).find((each) => each.message.startsWith(place));
    expect(problem?.message.slice(place.length)).toMatch(say.pattern('problem.required'));
    expect(problem?.message.slice(place.length)).not.toMatch(serverSays('en').pattern('problem.required'));
  });

  it.each(['de', 'fr'] as const)('says in %s that examples name a step that does not exist', async (language) => {
    const say = serverSays(language);
    const topic = `${Object.keys(content().dialog.nodes).join('')}Gone`;
    const file = `dialogs/understanding/${language}.yaml`;
    await draftWith(file, (text) => {
      const examples = parseDocument(text);
      examples.setIn(['topics', topic], ['one example']);
      return String(examples);
    });
    const problems = await dialogProblems(language);
    expect(problems).toContainEqual(
      expect.objectContaining({
        file,
        message: `topics.${topic}: ${say('problem.exampleNoStep', { topic, file: DIALOG })}`,
      }),
    );
    const english = serverSays('en')('problem.exampleNoStep', { topic, file: DIALOG });
    for (const problem of problems) expect(problem.message).not.toContain(english);
  });

  it.each([
    ['it', 1],
    ['it', 2],
    ['en', 1],
  ] as const)("says in %s how few examples a topic has, %s in the number's own form", async (language, count) => {
    const say = serverSays(language);
    const file = `dialogs/understanding/${language}.yaml`;
    const examples = parseDocument(original.files[file]!);
    const [topic] = Object.keys(examples.toJSON().topics as Record<string, string[]>);
    await draftWith(file, () => {
      const kept = (examples.getIn(['topics', topic!]) as { toJSON(): string[] }).toJSON().slice(0, count);
      examples.setIn(['topics', topic!], kept);
      return String(examples);
    });
    const form = count === 1 ? 'problem.fewExamples_one' : 'problem.fewExamples_other';
    const found = (await dialogProblems(language)).filter((problem) => problem.file === file);
    expect(found.map((problem) => problem.message)).toContainEqual(
      expect.stringMatching(new RegExp(`^topics\\.${topic}: ${within(say, form, { count: String(count) }).source}$`)),
    );
  });

  it.each(['de', 'fr'] as const)('says a YAML syntax error and what to do about it in %s', async (language) => {
    const say = serverSays(language);
    // A line indented with a tab: YAML allows spaces only.
    await draftWith(DIALOG, (text) => text.replace(/\n {2}(\S)/, '\n\t$1'));
    const problems = await dialogProblems(language);
    const problem = problems.find((each) => each.file === DIALOG && each.rule === 'yaml-syntax');
    expect(problem?.message).toMatch(say.pattern('problem.notYamlAt', { reason: say('problem.yamlTab') }));
    expect(problem?.message).not.toMatch(within(serverSays('en'), 'problem.yamlTab'));
  });

  it('says in German what failed in a conversation test when a publish is refused', async () => {
    const de = serverSays('de');
    const en = serverSays('en');
    // The menu's first two choices lead to each other's step: valid content, but the scripts click and check.
    await draftWith(DIALOG, swapMenuChoices);
    const publisher = await new StudioClient(bot.url).as('publisher');
    const response = await publisher.call('POST', '/studio/api/publish', { message: 'swapped' }, headers('de'));
    expect(response.status).toBe(422);
    const { problems } = (await response.json()) as Answer;
    expect(problems.length).toBeGreaterThan(0);
    const failures = ['scriptShouldBe', 'scriptShouldSay', 'scriptShouldNotSay', 'scriptShouldOffer', 'scriptNoButton'];
    for (const problem of problems) {
      expect(problem.field).toMatch(/^conversation test .+\.yaml \((en|es|it|fr|de)\)$/);
      expect(problem.message).toMatch(de.pattern('problem.scriptFails'));
      expect(failures.some((key) => within(de, `problem.${key}`).test(problem.message))).toBe(true);
      for (const key of failures) expect(problem.message).not.toMatch(within(en, `problem.${key}`));
    }
  });

  it('lists in German the messages the understanding check finds misunderstood', async () => {
    const de = serverSays('de');
    const en = serverSays('en');
    // German examples of two topics swapped: the content checks pass, the model learns the wrong thing.
    await draftWith('dialogs/understanding/de.yaml', swapFirstTopicsExamples);
    const publisher = await new StudioClient(bot.url).as('publisher');
    const response = await publisher.call('POST', '/studio/api/publish', { message: 'swapped' }, headers('de'));
    expect(response.status).toBe(422);
    const { problems } = (await response.json()) as Answer;
    const german = problems.find((problem) =>
      de.pattern('problem.understoodLess', { language: 'de' }).test(problem.message),
    );
    expect(german?.field).toBe('understanding check');
    expect(german?.message).toMatch(within(de, 'problem.takenFor'));
    expect(german?.message).not.toMatch(within(en, 'problem.takenFor'));
  });
});
