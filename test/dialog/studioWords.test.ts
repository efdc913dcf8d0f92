import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { checkContent } from '../../src/content/loadContent';
import { flatten } from '../../src/content/localeFiles';
import { LANGUAGES } from '../../src/dialog/languages';
import { plainSaid, said, sayIn, STUDIO_WORDS } from '../../src/dialog/studioWords';
import { content, contentCopy, ROOT } from '../support/helpers';

/** Every .ts file under a folder of the project, with its text. */
function sources(dir: string): Array<{ file: string; text: string }> {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(file);
    return entry.name.endsWith('.ts') ? [{ file, text: readFileSync(path.join(ROOT, file), 'utf8') }] : [];
  });
}

const placeholdersOf = (text: string) => new Set([...text.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((match) => match[1]!));

/** The studio server's words (web:studio.error.*, web:studio.problem.*) of one language, from the content. */
function serverWords(language: (typeof LANGUAGES)[number]): Map<string, string> {
  const web = content().resources[language].web as { studio: Record<string, unknown> };
  return new Map(flatten(web.studio).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

describe("the studio server's words (STUDIO_WORDS)", () => {
  const registry = STUDIO_WORDS as Record<string, readonly string[]>;
  const code = sources('src').filter((each) => !each.file.endsWith(path.join('dialog', 'studioWords.ts')));

  it('are the keys the code says, each one said somewhere', () => {
    const keyLiteral = /'((?:error|problem|diff|version)\.[a-z]\w*)'/gi;
    const said = new Set(code.flatMap((each) => [...each.text.matchAll(keyLiteral)].map((match) => match[1]!)));
    expect([...said].filter((key) => !(key in registry))).toEqual([]);
    expect(Object.keys(registry).filter((key) => !said.has(key))).toEqual([]);
  });

  it('exist in all five languages with exactly the placeholders the code fills', () => {
    for (const language of LANGUAGES) {
      const words = serverWords(language);
      for (const [key, placeholders] of Object.entries(registry)) {
        const texts =
          placeholders.includes('count') && !words.has(key) ? ['one', 'other'].map((form) => `${key}_${form}`) : [key];
        for (const text of texts) {
          expect({ language, text, has: words.has(text) }).toEqual({ language, text, has: true });
          expect({ language, text, placeholders: placeholdersOf(words.get(text)!) }).toEqual({
            language,
            text,
            placeholders: new Set(placeholders),
          });
        }
      }
    }
  });

  it('fall back to the key and its values when the text cannot be read', () => {
    const words = said('problem.noStep', { step: 'lockout' });
    expect(sayIn((key) => key, words)).toBe(plainSaid(words));
    expect(sayIn(() => undefined, words)).toBe(plainSaid(words));
    expect(
      sayIn(() => {
        throw new Error('no texts');
      }, words),
    ).toBe(plainSaid(words));
    expect(plainSaid(words)).toBe('problem.noStep (step: lockout)');
  });

  it('give content:check readable problems even when the English web texts are broken', () => {
    const copy = contentCopy();
    copy.edit('locales/en/web.json', (text) => text.replace('{', '{ broken'));
    copy.edit('locales/de/helpdesk.json', (text) => text.replace(/"[^"]*\{\{\s*links\.\w+\s*\}\}[^"]*"/, '"dort"'));
    const { problems } = checkContent(copy.root);
    expect(problems.some((problem) => problem.rule === 'json-syntax')).toBe(true);
    const placeholders = problems.find((problem) => problem.rule === 'placeholders');
    expect(placeholders?.says?.key).toMatch(/^problem\.placeholders/);
    expect(placeholders?.message).toBe(plainSaid(placeholders!.says!));
  });

  it('give content:check its messages in the content’s English', () => {
    const copy = contentCopy();
    copy.edit('locales/de/helpdesk.json', (text) => text.replace(/"[^"]*\{\{\s*links\.\w+\s*\}\}[^"]*"/, '"dort"'));
    const placeholders = checkContent(copy.root).problems.find((problem) => problem.rule === 'placeholders')!;
    const english = serverWords('en').get(placeholders.says!.key)!;
    const values = placeholders.says!.values ?? {};
    expect(placeholders.message).toBe(
      english.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name: string) => String(values[name])),
    );
  });
});
