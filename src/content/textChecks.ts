import { LANGUAGES, type Language } from '../dialog/languages';
import { TEXT_VARIANTS } from '../dialog/systemKeys';
import { flatten, type LocaleFile } from './localeFiles';
import { said, type Said } from '../dialog/studioWords';
import { saying, type ContentProblem } from './problems';

export interface KeyUse {
  key: string;
  /** Where in the dialog file the key is used; undefined for texts the bot itself needs. */
  problem?: (message: Said) => ContentProblem;
}

const PLURAL_SUFFIX = /_(zero|one|two|few|many|other)$/;
/** A variant the bot picks by itself (see TEXT_VARIANTS) is used wherever its text is. */
const VARIANT_SUFFIX = new RegExp(`_(${TEXT_VARIANTS.join('|')})$`);
const PLACEHOLDER = /\{\{\s*([^},\s]+)[^}]*\}\}|\$t\(([^)]+)\)/g;
const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s)\]>"'«»“”]+/gi;
const MARKDOWN_LINK_TARGET = /\]\(([^)\s]+)\)/g;

/** Splits "common:choice.back" into its namespace and dotted path. */
export function splitKey(key: string): { ns: string; path: string } {
  const colon = key.indexOf(':');
  return colon >= 0 ? { ns: key.slice(0, colon), path: key.slice(colon + 1) } : { ns: 'helpdesk', path: key };
}

function placeholders(text: string): string {
  return [...text.matchAll(PLACEHOLDER)]
    .map((match) => (match[1] ? `{{${match[1]}}}` : `$t(${match[2]})`))
    .sort()
    .join(' ');
}

/** True when the text is more than names, numbers, placeholders, links and formatting. */
function hasWords(text: string): boolean {
  const stripped = text
    .replace(MARKDOWN_LINK_TARGET, ']')
    .replace(URL_IN_TEXT, '')
    .replace(PLACEHOLDER, '')
    .replace(/[^\p{L}]+/gu, ' ')
    .trim();
  return stripped.split(' ').filter((word) => word.length > 1).length > 1;
}

/**
 * Checks the five languages' texts against each other and against what the dialog and the bot use:
 * every used text exists everywhere, nothing is empty, placeholders and plural forms match English,
 * nothing is left in English, links are https, and nothing defined goes unused.
 */
export function checkTexts(
  files: LocaleFile[],
  /** The texts the dialog and the bot use; undefined when the dialog does not load (the texts are then only
   * checked against each other). */
  uses: KeyUse[] | undefined,
  untranslatedAllowed: ReadonlySet<string>,
  /** The placeholders the code can fill in the text with this key; undefined when the dialog does not load. */
  knownPlaceholders: ((id: string) => ReadonlySet<string>) | undefined,
  problems: ContentProblem[],
): void {
  const byLanguage = new Map<string, Map<string, unknown>>();
  const fileOf = new Map<string, LocaleFile>();
  // One mistake, one message: "language|key" pairs already reported.
  const reported = new Set<string>();
  for (const file of files) {
    fileOf.set(`${file.language}:${file.ns}`, file);
    for (const [key, value] of flatten(file.data)) {
      const id = file.ns === 'helpdesk' ? key : `${file.ns}:${key}`;
      if (!byLanguage.has(file.language)) byLanguage.set(file.language, new Map());
      byLanguage.get(file.language)!.set(id, value);
      const where = { file: file.file, ...file.locate(key), text: { language: file.language, key: id } };
      if (typeof value !== 'string') {
        problems.push({ ...where, rule: 'not-text', severity: 'error', ...saying('problem.notText', { key }) });
      } else if (!value.trim()) {
        reported.add(`${file.language}|${id.replace(PLURAL_SUFFIX, '')}`);
        problems.push({
          ...where,
          rule: 'empty-text',
          severity: 'error',
          ...saying('problem.emptyText', { key }),
        });
      } else {
        checkUrls(value, key, where, problems);
        const known = knownPlaceholders?.(id);
        for (const match of value.matchAll(PLACEHOLDER)) {
          if (match[1] && known && !known.has(match[1])) {
            problems.push({
              ...where,
              rule: 'unknown-placeholder',
              severity: 'error',
              ...saying('problem.unknownPlaceholder', {
                key,
                placeholder: `{{${match[1]}}}`,
                known: [...known].map((name) => `{{${name}}}`).join(', '),
              }),
            });
          }
        }
      }
    }
  }
  const texts = (language: Language) => byLanguage.get(language) ?? new Map<string, unknown>();
  const english = texts('en');
  /** The key's line in that language's file, or its nearest parent's when the key is not there. */
  const position = (language: Language, id: string) => {
    const { ns, path } = splitKey(id);
    const file = fileOf.get(`${language}:${ns}`);
    const parts = path.split('.');
    for (let depth = parts.length; depth > 0 && file; depth--) {
      const found = file.locate(parts.slice(0, depth).join('.'));
      if (found) return { file: file.file, ...found, text: { language, key: id } };
    }
    return { file: file?.file ?? `locales/${language}/${ns}.json`, text: { language, key: id } };
  };
  const exists = (language: Language, key: string) => {
    const isText = (value: unknown) => typeof value === 'string' && value.trim().length > 0;
    const all = texts(language);
    // A plural text exists when its "other" form does; missing forms are reported by the plural check.
    return isText(all.get(key)) || isText(all.get(`${key}_other`));
  };

  // Every text used exists in every language.
  for (const use of uses ?? []) {
    const missing = LANGUAGES.filter(
      (language) => !exists(language, use.key) && !reported.has(`${language}|${use.key}`),
    );
    if (missing.length === 0) continue;
    for (const language of missing) reported.add(`${language}|${use.key}`);
    if (use.problem) {
      const { ns } = splitKey(use.key);
      problems.push(
        use.problem(
          said('problem.textMissingIn', {
            key: use.key,
            files: missing.map((language) => `locales/${language}/${ns}.json`).join(', '),
          }),
        ),
      );
    } else {
      for (const language of missing) {
        problems.push({
          ...position(language, use.key),
          rule: 'missing-text',
          severity: 'error',
          ...saying('problem.missingText', { path: splitKey(use.key).path }),
        });
      }
    }
  }

  // Every language has what English has, with the same placeholders and plural forms, and in its own words.
  for (const language of LANGUAGES.filter((candidate) => candidate !== 'en')) {
    const own = texts(language);
    for (const [id, source] of english) {
      const translated = own.get(id);
      const { path } = splitKey(id);
      if (translated === undefined) {
        if (reported.has(`${language}|${id.replace(PLURAL_SUFFIX, '')}`)) continue;
        const plural = PLURAL_SUFFIX.test(id);
        problems.push({
          ...position(language, id),
          rule: plural ? 'plural-forms' : 'missing-translation',
          severity: 'error',
          ...saying(plural ? 'problem.missingPlural' : 'problem.missingTranslation', { path }),
        });
        continue;
      }
      if (typeof source !== 'string' || typeof translated !== 'string') continue;
      const [found, english] = [placeholders(translated), placeholders(source)];
      if (found !== english) {
        problems.push({
          ...position(language, id),
          rule: 'placeholders',
          severity: 'error',
          ...(!found
            ? saying('problem.placeholdersMissing', { path, english })
            : !english
              ? saying('problem.placeholdersExtra', { path, found })
              : saying('problem.placeholdersDiffer', { path, found, english })),
        });
      }
      if (translated.trim() === source.trim() && hasWords(source) && !untranslatedAllowed.has(id)) {
        problems.push({
          ...position(language, id),
          rule: 'untranslated',
          severity: 'error',
          ...saying('problem.untranslated', { path, key: id }),
        });
      }
    }
    for (const id of own.keys()) {
      if (!english.has(id)) {
        problems.push({
          ...position(language, id),
          rule: 'unused-text',
          severity: 'warning',
          ...saying('problem.notInEnglish', { path: splitKey(id).path }),
        });
      }
    }
  }

  // Every text defined is used.
  if (!uses) return;
  const used = new Set(uses.map((use) => use.key));
  for (const id of english.keys()) {
    if (!used.has(id.replace(PLURAL_SUFFIX, '').replace(VARIANT_SUFFIX, ''))) {
      problems.push({
        ...position('en', id),
        rule: 'unused-text',
        severity: 'warning',
        ...saying('problem.unusedText', { path: splitKey(id).path, file: 'dialogs/helpdesk.yaml' }),
      });
    }
  }
}

function checkUrls(
  text: string,
  key: string,
  where: Omit<ContentProblem, 'rule' | 'severity' | 'message' | 'says'>,
  problems: ContentProblem[],
): void {
  const targets = [...text.matchAll(MARKDOWN_LINK_TARGET)]
    .map((match) => match[1]!)
    .concat([...text.matchAll(URL_IN_TEXT)].map((match) => match[0]));
  for (const target of new Set(targets)) {
    if (target.startsWith('{{')) continue;
    if (!isHttpsUrl(target))
      problems.push({
        ...where,
        rule: 'bad-url',
        severity: 'error',
        ...saying('problem.badUrl', { key, target }),
      });
  }
}

function isHttpsUrl(text: string): boolean {
  try {
    return new URL(text).protocol === 'https:';
  } catch {
    return false;
  }
}
