import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { LANGUAGES } from '../../src/dialog/languages';
import {
  BUTTONS,
  COMMANDS,
  EMBED_KEYS,
  NOTICES,
  STUDIO_PAGE_KEYS,
  STUDIO_PAGE_PREFIX,
  SYSTEM_KEYS,
  TEAMS_KEYS,
  WEB_KEYS,
} from '../../src/dialog/systemKeys';
import { STUDIO_WORD_KEYS } from '../../src/dialog/studioWords';
import { ROOT } from '../support/helpers';

/**
 * SYSTEM_KEYS are the texts the content check requires in every language because the code says them. The list
 * must not drift from the code: a required text nobody says is work for translators for nothing, and a text the
 * code says that is not required can go missing in a language unnoticed.
 */
const SYSTEM_KEYS_FILE = path.join('src', 'dialog', 'systemKeys.ts');
/** The studio server's words by key, with the prefix they share (test/dialog/studioWords.test.ts checks them). */
const STUDIO_WORDS_FILE = path.join('src', 'dialog', 'studioWords.ts');

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(file);
    return entry.name.endsWith('.ts') && file !== SYSTEM_KEYS_FILE && file !== STUDIO_WORDS_FILE ? [file] : [];
  });
}

/** The bot's code and the build-time tools, and the Teams manifest template whose placeholders name texts. */
const sources = [...sourceFiles('src'), ...sourceFiles('tools')].map((file) =>
  readFileSync(path.join(ROOT, file), 'utf8'),
);
const manifest = readFileSync(path.join(ROOT, 'teams', 'manifest.template.json'), 'utf8');
const code = [...sources, manifest].join('\n');

/** Keys derived from a list the code uses as a whole (the page's words, the commands, the languages' names). */
const LISTS: Array<{ keys: readonly string[]; usedAs: string }> = [
  { keys: WEB_KEYS.map((key) => `web:${key}`), usedAs: 'WEB_KEYS' },
  { keys: EMBED_KEYS.map((key) => `web:${key}`), usedAs: 'EMBED_KEYS' },
  { keys: STUDIO_PAGE_KEYS.map((key) => `${STUDIO_PAGE_PREFIX}${key}`), usedAs: 'STUDIO_PAGE_KEYS' },
  // Each said by its key in the code, said('error.csrf'); test/dialog/studioWords.test.ts checks which.
  { keys: STUDIO_WORD_KEYS, usedAs: "said('" },
  { keys: COMMANDS.map((command) => `common:commands.${command}`), usedAs: 'COMMANDS' },
  { keys: LANGUAGES.map((language) => `common:languages.${language}`), usedAs: 'languages.${' },
];

/** Where the code names a key: whole ("common:language.name"), by its constant (NOTICES.help) or by its path. */
function namedByCode(key: string): boolean {
  const [, keyPath] = key.split(':') as [string, string];
  const constants = [
    ...Object.entries(NOTICES).map(([name, value]) => [`NOTICES.${name}`, value]),
    ...Object.entries(BUTTONS).map(([name, value]) => [`BUTTONS.${name}`, value]),
  ];
  if (constants.some(([name, value]) => value === key && new RegExp(`${name.replace('.', '\\.')}\\b`).test(code)))
    return true;
  if (LISTS.some((list) => list.keys.includes(key) && code.includes(list.usedAs))) return true;
  return code.includes(key) || code.includes(`'${keyPath}'`);
}

/** The keys of the bot's own words the code names outright: 'common:…' literals and getFixedT(…, 'common')('…'). */
function keysSaidOutright(): string[] {
  const keys = new Set<string>();
  for (const source of sources) {
    for (const match of source.matchAll(/'((?:common|web|teams):[\w.]+)'/g)) keys.add(match[1]!);
    for (const match of source.matchAll(/getFixedT\([^()]*, '(\w+)'\)\('([\w.]+)'/g))
      keys.add(`${match[1]}:${match[2]}`);
    // `const t = i18n.getFixedT(language, 'common')` … `t('language.name')`
    const common = /const t = [\w.()]*getFixedT\([^()]*, 'common'\)/.test(source);
    if (common) for (const match of source.matchAll(/\bt\('([\w.]+)'/g)) keys.add(`common:${match[1]}`);
  }
  return [...keys].sort();
}

describe('the texts the bot itself says (SYSTEM_KEYS)', () => {
  it('are each said somewhere in the code', () => {
    expect(SYSTEM_KEYS.filter((key) => !namedByCode(key))).toEqual([]);
  });

  it('include every text of its own the code names', () => {
    const said = keysSaidOutright();
    expect(said).toEqual(expect.arrayContaining(['common:language.name', 'common:turnError', 'common:unavailable']));
    expect(said.filter((key) => !SYSTEM_KEYS.includes(key))).toEqual([]);
  });

  it('include the Teams listing’s words, which the manifest template names', () => {
    const named = [...manifest.matchAll(/\{\{teams:([\w.]+)\}\}/g)].map((match) => match[1]!);
    expect(new Set(named)).toEqual(new Set(TEAMS_KEYS));
  });
});

describe("the studio page's own words (STUDIO_PAGE_KEYS)", () => {
  const folder = path.join(ROOT, 'web', 'studio');
  const page = readdirSync(folder)
    .filter((file) => /\.(js|html)$/.test(file))
    .map((file) => readFileSync(path.join(folder, file), 'utf8'))
    .join('\n');
  /** studioText('a.b') and text('a.b') in the scripts, `insights.stage.${stage}` forms, data-text="a.b" in the HTML. */
  const said = new Set([
    ...[...page.matchAll(/\b(?:studioText|text)\('([\w.]+)'/g)].map((match) => match[1]!),
    ...[...page.matchAll(/data-text(?:-aria-label)?="([\w.]+)"/g)].map((match) => match[1]!),
    ...[...page.matchAll(/'(insights\.(?:outcome|reading)\.\w+)'/g)].map((match) => match[1]!),
  ]);
  const byTemplate = [...page.matchAll(/text\(`([\w.]+)\$\{\w+\}`\)/g)].map((match) => match[1]!);

  it('are each said by the page', () => {
    const unsaid = STUDIO_PAGE_KEYS.filter((key) => !said.has(key) && !byTemplate.some((head) => key.startsWith(head)));
    expect(unsaid).toEqual([]);
  });

  it('include every word the page says', () => {
    expect(byTemplate).toEqual(['insights.stage.', 'insights.stage.']);
    expect([...said].filter((key) => !(STUDIO_PAGE_KEYS as readonly string[]).includes(key))).toEqual([]);
  });
});
