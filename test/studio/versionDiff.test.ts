import { parseDocument } from 'yaml';
import { readSnapshot } from '../../src/studio/snapshot';
import { textsOf, withText } from '../../src/studio/texts';
import { diffSnapshots } from '../../src/studio/versionDiff';
import { createTranslator } from '../../src/content/i18n';
import { sayIn } from '../../src/dialog/studioWords';
import { isFormNode, type MessageNode } from '../../src/content/dialogSchema';
import { content, ROOT } from '../support/helpers';
import { serverSays } from '../support/studioWords';

/** The summaries in German, as the studio shows them to a lead whose page is in German. */
const german = createTranslator(content()).getFixedT('de');
const inGerman = (words: Parameters<typeof sayIn>[1]) => sayIn((key, values) => german(key, values), words);
const de = serverSays('de');

/** The content as it is in the files, its start step and a topic of the Spanish examples. */
function setting() {
  const files = readSnapshot(ROOT);
  const { dialog } = content();
  const examples = parseDocument(files['dialogs/understanding/es.yaml']!);
  const topic = String((examples.get('topics') as { items: Array<{ key: { value: string } }> }).items[0]!.key.value);
  return { files, start: dialog.start, topic };
}

describe('what a version changed', () => {
  it('is nothing between the same files', () => {
    const { files } = setting();
    expect(diffSnapshots(files, files, inGerman)).toEqual({ texts: [], structure: [] });
  });

  it('lists a changed text by key and language, old → new, and a text only one language has', () => {
    const { files } = setting();
    const [key] = [...textsOf(files, 'en').keys()];
    const spanish = textsOf(files, 'es').get(key!)!;
    let changed = withText(files, { language: 'es', key: key! }, `${spanish} (cambiado)`);
    changed = withText(changed, { language: 'de', key: 'brandNew.text' }, 'Neu');
    const { texts, structure } = diffSnapshots(files, changed, inGerman);
    expect(structure).toEqual([]);
    expect(texts).toEqual([
      { key: 'brandNew.text', changes: [{ language: 'de', before: null, after: 'Neu' }] },
      { key, changes: [{ language: 'es', before: spanish, after: `${spanish} (cambiado)` }] },
    ]);
  });

  it('summarises structure: a step added, a choice changed, a link, examples in and out', () => {
    const { files, start, topic } = setting();
    const dialog = parseDocument(files['dialogs/helpdesk.yaml']!);
    dialog.setIn(['nodes', 'resultsCopy'], { topic: 'lostEmail', say: ['resultsCopy.body'] });
    dialog.setIn(['nodes', start, 'choices', 0, 'goto'], 'resultsCopy');
    dialog.setIn(['links', 'login'], 'https://example.org/login');
    const examples = parseDocument(files['dialogs/understanding/es.yaml']!);
    const first = String(examples.getIn(['topics', topic, 0]));
    examples.deleteIn(['topics', topic, 0]);
    (examples.getIn(['topics', topic]) as { add: (value: unknown) => void }).add('no me deja entrar nunca');
    const changed = {
      ...files,
      'dialogs/helpdesk.yaml': String(dialog),
      'dialogs/understanding/es.yaml': String(examples),
    };
    const { texts, structure } = diffSnapshots(files, changed, inGerman);
    expect(texts).toEqual([]);
    expect(structure).toEqual(
      expect.arrayContaining([
        { file: 'dialogs/helpdesk.yaml', where: 'nodes.resultsCopy', summary: de('diff.added') },
        {
          file: 'dialogs/helpdesk.yaml',
          where: `nodes.${start}`,
          summary: de('diff.fieldsChanged', { fields: 'choices' }),
        },
        {
          file: 'dialogs/helpdesk.yaml',
          where: 'links.login',
          summary: expect.stringMatching(de.pattern('diff.valueChanged', { after: 'https://example.org/login' })),
        },
        {
          file: 'dialogs/understanding/es.yaml',
          where: `topics.${topic}`,
          summary: de('diff.examplesChanged', {
            added: 1,
            addedExamples: '"no me deja entrar nunca"',
            removed: 1,
            removedExamples: `"${first}"`,
          }),
          added: ['no me deja entrar nunca'],
          removed: [first],
        },
      ]),
    );
    expect(structure).toHaveLength(4);
  });

  it('says in plain words what a step now says and asks: a text added, one gone, a new order, its question', () => {
    const { files } = setting();
    const messages = Object.entries(content().dialog.nodes).filter(
      (entry): entry is [string, MessageNode] => !isFormNode(entry[1]),
    );
    // A step that says two texts or more and asks a question, and one that asks none.
    const [id, node] = messages.find(([, each]) => each.say.length >= 2 && each.prompt)!;
    const [quiet, silent] = messages.find(([, each]) => !each.prompt)!;
    const summaryOf = (change: (dialog: ReturnType<typeof parseDocument>) => void) => {
      const dialog = parseDocument(files['dialogs/helpdesk.yaml']!);
      change(dialog);
      const { structure } = diffSnapshots(files, { ...files, 'dialogs/helpdesk.yaml': String(dialog) }, inGerman);
      return structure.map((each) => [each.where, each.summary]);
    };
    const added = `${id}.body9`;
    const [first, ...rest] = node.say;
    expect(summaryOf((dialog) => dialog.setIn(['nodes', id, 'say'], [...node.say, added]))).toEqual([
      [`nodes.${id}`, de('diff.saysAdded', { keys: added })],
    ]);
    expect(summaryOf((dialog) => dialog.setIn(['nodes', id, 'say'], rest))).toEqual([
      [`nodes.${id}`, de('diff.saysRemoved', { keys: first! })],
    ]);
    expect(summaryOf((dialog) => dialog.setIn(['nodes', id, 'say'], [...rest, first]))).toEqual([
      [`nodes.${id}`, de('diff.saysReordered', { keys: [...rest, first].join(', ') })],
    ]);
    // The question taken away, another's question asked, and one asked where there was none, with other fields.
    expect(summaryOf((dialog) => dialog.deleteIn(['nodes', id, 'prompt']))).toEqual([
      [`nodes.${id}`, de('diff.promptRemoved', { key: node.prompt! })],
    ]);
    expect(summaryOf((dialog) => dialog.setIn(['nodes', id, 'prompt'], `${id}.prompt9`))).toEqual([
      [`nodes.${id}`, de('diff.promptChanged', { before: node.prompt!, after: `${id}.prompt9` })],
    ]);
    expect(
      summaryOf((dialog) => {
        dialog.setIn(['nodes', quiet, 'prompt'], node.prompt);
        dialog.setIn(['nodes', quiet, 'final'], !silent.final);
      }),
    ).toEqual([
      [
        `nodes.${quiet}`,
        [de('diff.promptAdded', { key: node.prompt! }), de('diff.fieldsChanged', { fields: 'final' })].join('; '),
      ],
    ]);
  });

  it('names a comment-only change and a file added or removed, so nothing goes unlisted', () => {
    const { files } = setting();
    const { 'dialogs/glossary.yaml': glossary, ...withoutGlossary } = files;
    const changed = { ...withoutGlossary, 'dialogs/helpdesk.yaml': `# a note\n${files['dialogs/helpdesk.yaml']}` };
    expect(diffSnapshots(files, changed, inGerman).structure).toEqual([
      { file: 'dialogs/glossary.yaml', where: '', summary: de('diff.fileRemoved') },
      { file: 'dialogs/helpdesk.yaml', where: '', summary: de('diff.layoutChanged') },
    ]);
    expect(glossary).toBeDefined();
  });
});
