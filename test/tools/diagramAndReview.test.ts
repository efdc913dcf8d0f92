import { readFileSync } from 'node:fs';
import path from 'node:path';
import { LANGUAGES } from '../../src/dialog/languages';
import { readLocaleFiles } from '../../src/content/localeFiles';
import { flatten } from '../../src/content/localeFiles';
import { diagramFiles, diagramShape, diagramStatus } from '../../tools/contentDiagram';
import { createTranslator } from '../../src/content/i18n';
import { loadContent } from '../../src/content/loadContent';
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
    // Buttons are drawn with their German labels, as the content words them.
    const de = createTranslator(content()).getFixedT('de');
    expect(files['dialog.de.mmd']).toContain(`menu -- "${de('menu.choice.lockout')}" --> lockout`);
    expect(files['dialog.de.mmd']).toContain('lockoutCheck -. "locked" .-> lockoutLocked');
    const lockout = content().dialog.nodes.lockout as { choices: Array<{ label: string }> };
    expect(files['dialog.de.svg']).toContain(de(lockout.choices[0]!.label));
    const edges = files['dialog.de.mmd']!.split('\n').filter((line) => line.includes('-->') || line.includes('.->'));
    const choices = Object.values(content().dialog.nodes).reduce(
      (total, node) =>
        total + ('choices' in node ? node.choices.length + (node.then ? 1 : 0) : Object.keys(node.outcomes).length),
      0,
    );
    expect(edges).toHaveLength(choices);
  });

  it('is the picture CONTENT.md links to, with the current steps and buttons (else: npm run content:diagram)', () => {
    // A change of wording only leaves the picture's texts behind: npm run content:check says so, nothing fails.
    const files = diagramFiles(content(), 'en');
    expect(diagramShape(readFileSync(path.join(ROOT, 'docs', 'dialog.mmd'), 'utf8'))).toEqual(
      diagramShape(files['dialog.mmd']!),
    );
    expect(readFileSync(path.join(ROOT, 'CONTENT.md'), 'utf8')).toContain('(docs/dialog.md)');
  });

  it('tells a picture with older wording from one with older steps', () => {
    const copy = contentCopy();
    copy.edit('locales/en/helpdesk.json', (text) => {
      const json = JSON.parse(text) as { menu: { intro: string } };
      return `${JSON.stringify({ ...json, menu: { ...json.menu, intro: 'Reworded in a test' } }, null, 2)}\n`;
    });
    const reworded = diagramFiles(loadContent(copy.root), 'en')['dialog.mmd']!;
    const current = diagramFiles(content(), 'en')['dialog.mmd']!;
    expect(reworded).not.toBe(current);
    expect(diagramShape(reworded)).toEqual(diagramShape(current));
    expect(diagramStatus(copy.root, ROOT)).toBe('wording');
    expect(diagramShape(current.replace(/^ {2}menu -- .*$/m, ''))).not.toEqual(diagramShape(current));
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
    // Texts the same in two languages by right (names, a word both use) are counted as they are in the content.
    const counted = (page: string, flag: string) => Number(new RegExp(`${flag}: (\\d+)`).exec(page)?.[1]);
    const before = reviewPage(reviewRows(readLocaleFiles(copy.root, [])));
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
    expect(counted(page, 'same as English')).toBe(counted(before, 'same as English') + 1);
    expect(counted(page, 'missing')).toBe(counted(before, 'missing') + 1);
  });
});
