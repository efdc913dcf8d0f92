import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isMap, isScalar, LineCounter, parseDocument, type Document, type YAMLError } from 'yaml';
import type { z } from 'zod';
import { plainSaid, said, STUDIO_WORDS, type Said, type StudioWord } from '../dialog/studioWords';
import { saying, type ContentProblem, type Rule } from './problems';

export type Position = { line: number; column: number };

/** A problem at a place in a YAML file (a path of keys and indexes), said in the studio's words. */
export type At = (
  path: (string | number)[],
  rule: Rule,
  message: Said,
  severity?: ContentProblem['severity'],
) => ContentProblem;

/** A parsed YAML (or JSON) file that knows where each of its entries is written. */
export interface PositionedFile {
  document: Document;
  /** Where the entry at this path of keys and indexes starts, if the file has it. */
  positionOf(where: (string | number)[]): Position | undefined;
  /** The line and column of a character offset in the text. */
  positionAt(offset: number): Position;
  at: At;
}

/** Parses YAML or JSON keeping the line and column of every entry; syntax errors are left in `document.errors`. */
export function parseWithPositions(file: string, text: string): PositionedFile {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const positionAt = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const positionOf = (where: (string | number)[]): Position | undefined => {
    const range = rangeOf(document, where);
    return range ? positionAt(range[0]) : undefined;
  };
  return { document, positionOf, positionAt, at: locator(file, positionOf) };
}

/**
 * Reads `file` (relative to `root`, as shown to people) as YAML; a missing file or a syntax error becomes a
 * problem at file:line:column, and then nothing is returned.
 */
export function readYamlFile(
  root: string,
  file: string,
  ifMissing: Said,
  problems: ContentProblem[],
): PositionedFile | undefined {
  const absolute = path.join(root, file);
  if (!existsSync(absolute)) {
    problems.push({ file, rule: 'missing-file', severity: 'error', ...saying(ifMissing.key, ifMissing.values) });
    return undefined;
  }
  const text = readFileSync(absolute, 'utf8');
  const parsed = parseWithPositions(file, text);
  // The first mistake, in plain words: the parser's later complaints are mostly echoes of it.
  const [error] = parsed.document.errors;
  if (!error) return parsed;
  const lines = text.split(/\r?\n/);
  const noticed = parsed.positionAt(error.pos[0]);
  const position = openedAt(lines, error, noticed.line) ?? noticed;
  const line = lines[position.line - 1]?.trim();
  const reason = yamlReason(error);
  const reads = line && (line.length > 60 ? `${line.slice(0, 57)}...` : line);
  problems.push({
    file,
    ...position,
    rule: 'yaml-syntax',
    severity: 'error',
    ...saying(reads ? 'problem.notYamlAt' : 'problem.notYaml', { reason, line: position.line, reads: reads || '' }),
  });
  return undefined;
}

/**
 * A "[" or "{" left open is noticed where the next entry starts, often lines later: the line that opened it
 * (the nearest one before with more openings than closings) is where the mistake is.
 */
function openedAt(lines: string[], error: YAMLError, noticed: number): Position | undefined {
  const bracket = /end with a ([\]}])/.exec(error.message)?.[1];
  if (error.code !== 'BAD_INDENT' || !bracket) return undefined;
  const open = bracket === ']' ? '[' : '{';
  const count = (line: string, char: string) => line.split(char).length - 1;
  for (let index = Math.min(noticed, lines.length) - 1; index >= 0; index--) {
    const line = lines[index]!.replace(/\s#.*$/, '');
    if (count(line, open) > count(line, bracket)) return { line: index + 1, column: line.lastIndexOf(open) + 1 };
  }
  return undefined;
}

/** What a YAML syntax error means for someone editing the file, and what to do about it. */
export function yamlReason(error: YAMLError): Said {
  const first = error.message.split('\n')[0] ?? '';
  switch (error.code) {
    case 'BAD_INDENT':
      if (/end with a \]/.test(first)) return said('problem.yamlListOpen');
      if (/end with a \}/.test(first)) return said('problem.yamlGroupOpen');
      return said('problem.yamlIndent');
    case 'TAB_AS_INDENT':
      return said('problem.yamlTab');
    case 'DUPLICATE_KEY':
      return said('problem.yamlTwice');
    case 'BLOCK_AS_IMPLICIT_KEY':
    case 'MULTILINE_IMPLICIT_KEY':
      return said('problem.yamlColon');
    case 'MISSING_CHAR':
      if (/quote/.test(first)) return said('problem.yamlNoQuote');
      if (/map values/.test(first)) return said('problem.yamlNoColon');
      return said('problem.yamlClosing');
    case 'BAD_SCALAR_START':
      return said('problem.yamlReserved');
    case 'BAD_DQ_ESCAPE':
      return said('problem.yamlBackslash');
    case 'UNEXPECTED_TOKEN':
      return said('problem.yamlDoesNotFit');
    default:
      return said('problem.yamlUnreadable');
  }
}

function locator(file: string, positionOf: PositionedFile['positionOf']): At {
  return (where, rule, message, severity = 'error') => {
    const place = describe(where);
    const problem: ContentProblem = {
      file,
      rule,
      severity,
      message: `${place}: ${plainSaid(message)}`,
      says: message,
      place,
    };
    // Point at the deepest part of the path that exists in the file.
    for (let depth = where.length; depth >= 0; depth--) {
      const position = positionOf(where.slice(0, depth));
      if (position) return { ...problem, ...position };
    }
    return problem;
  };
}

/** Where an entry starts: its key for a map entry (so a node is found by its name), else the item itself. */
function rangeOf(document: Document, where: (string | number)[]): [number, number, number] | undefined {
  const parent = where.length === 0 ? undefined : document.getIn(where.slice(0, -1), true);
  const last = where.at(-1);
  if (isMap(parent)) {
    const pair = parent.items.find((item) => isScalar(item.key) && item.key.value === last);
    const key = pair?.key as { range?: [number, number, number] } | undefined;
    if (key?.range) return key.range;
  }
  const node = document.getIn(where, true) as { range?: [number, number, number] } | undefined;
  return node && typeof node === 'object' && node.range ? node.range : undefined;
}

function describe(where: (string | number)[]): string {
  return where.reduce<string>(
    (text, part) => (typeof part === 'number' ? `${text}[${part}]` : text ? `${text}.${part}` : part),
    '',
  );
}

export function zodProblems(error: z.ZodError, prefix: (string | number)[], at: At, problems: ContentProblem[]): void {
  for (const issue of error.issues) {
    const where = [...prefix, ...issue.path.map((part) => (typeof part === 'symbol' ? String(part) : part))];
    problems.push(at(where, 'schema', zodSaid(issue)));
  }
}

/** What a schema issue says: the studio's words the schema names, else the words for its kind. */
function zodSaid(issue: z.core.$ZodIssue): Said {
  if (issue.message === 'problem.textKey') return said('problem.textKey', { example: 'lockout.body' });
  if (issue.message in STUDIO_WORDS) return said(issue.message as StudioWord);
  switch (issue.code) {
    case 'unrecognized_keys':
      return said('problem.unknownField', { fields: issue.keys.map((key) => `"${key}"`).join(', ') });
    case 'invalid_type':
      return said(issue.input === undefined ? 'problem.required' : 'problem.wrongType', { expected: issue.expected });
    case 'invalid_value':
      return said('problem.oneOf', { values: issue.values.map((value) => JSON.stringify(value)).join(', ') });
    default:
      return said('problem.invalid');
  }
}
