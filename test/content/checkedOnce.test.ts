import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { checkContent, ContentError, loadContent, type Content } from '../../src/content/loadContent';
import { contentCopy } from '../support/helpers';
import { tempFolder } from '../support/tempFolders';

/** The content without its compiled validators, and what each validator says of a few answers. */
function comparable(content: Content) {
  const { validators, ...rest } = content;
  const answers = ['', 'ABC123456', '1234', 'ana@example.org', '14/06/2025', 'Ana García', 'x'.repeat(300)];
  const now = new Date('2026-01-15T12:00:00Z');
  const verdicts = Object.fromEntries(
    Object.entries(validators).map(([name, validator]) => [
      name,
      answers.map((answer) => [validator.validate(answer, now).ok, validator.shaped(answer)]),
    ]),
  );
  return { ...rest, verdicts };
}

describe('content checked once per version of its files', () => {
  it('is kept after its first load and read back, equal to checking it again, at the next start', async () => {
    const copy = contentCopy();
    const cache = tempFolder('checked-content-');
    const first = loadContent(copy.root, cache);
    expect(comparable(first)).toEqual(comparable(checkContent(copy.root).content!));
    const kept = readdirSync(cache);
    expect(kept).toHaveLength(1);

    // Read back, not checked again: a mark put in the kept file comes back.
    const file = path.join(cache, kept[0]!);
    const stored = JSON.parse(readFileSync(file, 'utf8')) as { version: string };
    writeFileSync(file, JSON.stringify({ ...stored, version: 'kept-mark' }));
    const again = loadContent(copy.root, cache);
    expect(again.version).toBe('kept-mark');
    expect(comparable({ ...again, version: first.version })).toEqual(comparable(first));
  });

  it('is checked again after any edit, so a broken edit is still refused', async () => {
    const copy = contentCopy();
    const cache = tempFolder('checked-content-');
    loadContent(copy.root, cache);
    copy.edit('dialogs/helpdesk.yaml', (text) => text.replace('goto: missingId', 'goto: missingID'));
    expect(() => loadContent(copy.root, cache)).toThrow(ContentError);
    copy.edit('dialogs/helpdesk.yaml', (text) => text.replace('goto: missingID', 'goto: missingId'));
    expect(loadContent(copy.root, cache).dialog.nodes.missingId).toBeDefined();
    expect(readdirSync(cache)).toHaveLength(1);
  });
});
