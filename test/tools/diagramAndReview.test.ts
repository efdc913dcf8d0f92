import { readFileSync } from 'node:fs';
import path from 'node:path';
import { LANGUAGES } from '../../src/dialog/languages';
import { readLocaleFiles } from '../../src/content/localeFiles';
import { flatten } from '../../src/content/localeFiles';
import { diagramFiles } from '../../tools/contentDiagram';
import { reviewPage, reviewRows } from '../../tools/translationReview';
import { content, contentCopy, ROOT } from '../support/helpers';

describe('the dialog diagram (npm run content:diagram)', () => {
  it('draws every node and every button, labelled in the chosen language', () => {
    const files = diagramFiles(content(), 'de');
    const nodes = Object.keys(content().dialog.nodes);
    for (const id of nodes) {
      expect(files['dialog.de.mmd']).toMatch(new RegExp(`^  ${id}[\\[(]`, 'm'));
      expect(files['dialog.de.svg']).toContain(`id="node-${id}"`);
    }
    expect(files['dialog.de.mmd']).toContain('menu -- "Mein Konto ist gesperrt" --> lockout');
    expect(files['dialog.de.mmd']).toContain('lockoutCheck -. "locked" .-> lockoutLocked');
    expect(files['dialog.de.svg']).toContain('Prüfen, ob mein Konto gesperrt ist');
    const edges = files['dialog.de.mmd']!.split('\n').filter((line) => line.includes('-->') || line.includes('.->'));
    const choices = Object.values(content().dialog.nodes).reduce(
      (total, node) =>
        total + ('choices' in node ? node.choices.length + (node.then ? 1 : 0) : Object.keys(node.outcomes).length),
      0,
    );
    expect(edges).toHaveLength(choices);
  });

  it('is the picture CONTENT.md links to, made from current content (if this fails: npm run content:diagram)', () => {
    const files = diagramFiles(content(), 'en');
    for (const name of ['dialog.md', 'dialog.mmd', 'dialog.svg', 'dialog.html']) {
      expect(readFileSync(path.join(ROOT, 'docs', name), 'utf8')).toBe(files[name]);
    }
    expect(readFileSync(path.join(ROOT, 'CONTENT.md'), 'utf8')).toContain('(docs/dialog.md)');
  });
});

describe('the translation review page (npm run content:review)', () => {
  it('shows every text in the five languages side by side', () => {
    const files = readLocaleFiles(ROOT, []);
    const rows = reviewRows(files);
    const english = files
      .filter((file) => file.language === 'en')
      .flatMap((file) => flatten(file.data).map(([key]) => (file.ns === 'helpdesk' ? key : `${file.ns}:${key}`)));
    expect(rows.map((row) => row.key).sort()).toEqual(english.sort());
    for (const row of rows) for (const language of LANGUAGES) expect(row.texts[language]).toBeTruthy();
    const page = reviewPage(rows);
    expect(page).toContain('<th>en</th><th>es</th><th>it</th><th>fr</th><th>de</th>');
    expect(page).toContain('<code>lockout.body</code>');
  });

  it('highlights missing texts and texts left in English, even when the content does not load', () => {
    const copy = contentCopy();
    copy.edit('locales/fr/helpdesk.json', (text) =>
      text.replace(
        '"Ravi que ce soit réglé. Bonne chance pour vos résultats !"',
        '"I\'m glad that\'s sorted. Good luck with your results!"',
      ),
    );
    copy.edit('locales/it/common.json', (text) => text.replace(/"restarted": "[^"]*",/, ''));
    const rows = reviewRows(readLocaleFiles(copy.root, []));
    expect(rows.find((row) => row.key === 'solved.body')!.flags.fr).toEqual(['same-as-english']);
    expect(rows.find((row) => row.key === 'common:restarted')!.flags.it).toEqual(['missing']);
    const page = reviewPage(rows);
    expect(page).toContain('same as English: 1');
    expect(page).toContain('missing: 1');
  });
});
