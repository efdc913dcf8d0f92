import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { LANGUAGES, NAMESPACES, type Language, type Namespace } from '../dialog/languages';
import { saying, type ContentProblem } from './problems';
import { parseWithPositions, type Position } from './yamlLocator';

/** One locales/<language>/<namespace>.json file: its texts, and where each key is written. */
export interface LocaleFile {
  language: Language;
  ns: Namespace;
  /** Path relative to the content folder, as shown to people. */
  file: string;
  data: Record<string, unknown>;
  locate(dottedKey: string): Position | undefined;
}

/** Every text in a file as dotted key → value (objects flattened; other values kept to be reported). */
export function flatten(tree: Record<string, unknown>, prefix = ''): Array<[string, unknown]> {
  return Object.entries(tree).flatMap(([key, value]) =>
    value && typeof value === 'object' && !Array.isArray(value)
      ? flatten(value as Record<string, unknown>, `${prefix}${key}.`)
      : [[`${prefix}${key}`, value] as [string, unknown]],
  );
}

export function readLocaleFiles(root: string, problems: ContentProblem[]): LocaleFile[] {
  const files: LocaleFile[] = [];
  for (const language of LANGUAGES) {
    for (const ns of NAMESPACES) {
      const file = path.join('locales', language, `${ns}.json`);
      const absolute = path.join(root, file);
      if (!existsSync(absolute)) {
        problems.push({
          file,
          rule: 'missing-file',
          severity: 'error',
          ...saying('problem.missingFile', { english: `locales/en/${ns}.json` }),
        });
        files.push({ language, ns, file, data: {}, locate: () => undefined });
        continue;
      }
      files.push(parseLocaleFile(language, ns, file, readFileSync(absolute, 'utf8'), problems));
    }
  }
  return files;
}

function parseLocaleFile(
  language: Language,
  ns: Namespace,
  file: string,
  text: string,
  problems: ContentProblem[],
): LocaleFile {
  let data: Record<string, unknown> = {};
  try {
    const value: unknown = JSON.parse(text);
    if (value && typeof value === 'object' && !Array.isArray(value)) data = value as Record<string, unknown>;
    else
      problems.push({
        file,
        line: 1,
        column: 1,
        rule: 'json-syntax',
        severity: 'error',
        ...saying('problem.notTexts'),
      });
  } catch (error) {
    const { line, column } = jsonErrorPosition(text, (error as Error).message);
    problems.push({
      file,
      line,
      column,
      rule: 'json-syntax',
      severity: 'error',
      ...saying('problem.notJson', { detail: (error as Error).message.split('\n')[0]! }),
    });
    return { language, ns, file, data: {}, locate: () => undefined };
  }
  // JSON is YAML, and the YAML parser keeps positions: use it to say on which line each key is. Parsed the first
  // time a problem needs a line, not at each start (the texts' own parse above is many times quicker).
  let positioned: ReturnType<typeof parseWithPositions> | undefined;
  const locate = (dottedKey: string) =>
    (positioned ??= parseWithPositions(file, text)).positionOf(dottedKey.split('.'));
  return { language, ns, file, data, locate };
}

function jsonErrorPosition(text: string, message: string): Position {
  const lineColumn = /line (\d+) column (\d+)/.exec(message);
  if (lineColumn) return { line: Number(lineColumn[1]), column: Number(lineColumn[2]) };
  const position = /position (\d+)/.exec(message);
  const before = text.slice(0, position ? Number(position[1]) : text.length).split('\n');
  return { line: before.length, column: before.at(-1)!.length + 1 };
}
