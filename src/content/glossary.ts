import path from 'node:path';
import { z } from 'zod';
import { LANGUAGES } from '../dialog/languages';
import { fold } from '../dialog/text';
import { said } from '../dialog/studioWords';
import { flatten, type LocaleFile } from './localeFiles';
import { saying, type ContentProblem } from './problems';
import { readYamlFile, zodProblems } from './yamlLocator';

export const GLOSSARY_FILE = path.join('dialogs', 'glossary.yaml');

const entry = z.strictObject({
  /** The word every text uses for the term. */
  use: z.string().trim().min(1),
  /** Other words for it that a text must not use. */
  avoid: z.array(z.string().trim().min(1)).default([]),
});
const glossarySchema = z.strictObject({
  terms: z.record(z.string(), z.strictObject(Object.fromEntries(LANGUAGES.map((l) => [l, entry.optional()])))),
});

/**
 * The glossary's fixed terms per language (dialogs/glossary.yaml): reports every text in locales/ that says one
 * of a term's `avoid` words instead of its `use` word. Case and accents do not matter; whole words only.
 */
export function checkGlossary(root: string, files: readonly LocaleFile[], problems: ContentProblem[]): void {
  const parsed = readYamlFile(root, GLOSSARY_FILE, said('problem.glossaryMissing'), problems);
  if (!parsed) return;
  const result = glossarySchema.safeParse(parsed.document.toJS());
  if (!result.success) {
    zodProblems(result.error, [], parsed.at, problems);
    return;
  }
  for (const file of files) {
    const terms = Object.values(result.data.terms).flatMap((byLanguage) => byLanguage[file.language] ?? []);
    if (terms.length === 0) continue;
    for (const [key, value] of flatten(file.data)) {
      if (typeof value !== 'string') continue;
      const text = ` ${fold(value)} `;
      for (const { use, avoid } of terms) {
        const found = avoid.find((word) => text.includes(` ${fold(word)} `));
        if (found)
          problems.push({
            file: file.file,
            ...file.locate(key),
            rule: 'glossary',
            severity: 'error',
            ...saying('problem.glossary', { key, found, use, file: GLOSSARY_FILE }),
          });
      }
    }
  }
}
