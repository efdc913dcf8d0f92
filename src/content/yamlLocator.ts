import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isMap, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import type { ContentProblem, Rule } from './problems';

export type Position = { line: number; column: number };

/** Makes a problem that points at a place in a YAML file, given as a path of keys and indexes. */
export type At = (
  path: (string | number)[],
  rule: Rule,
  message: string,
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
  ifMissing: string,
  problems: ContentProblem[],
): PositionedFile | undefined {
  const absolute = path.join(root, file);
  if (!existsSync(absolute)) {
    problems.push({ file, rule: 'missing-file', severity: 'error', message: ifMissing });
    return undefined;
  }
  const parsed = parseWithPositions(file, readFileSync(absolute, 'utf8'));
  for (const error of parsed.document.errors) {
    const message = `not valid YAML: ${error.message.split('\n')[0]}`;
    problems.push({ file, ...parsed.positionAt(error.pos[0]), rule: 'yaml-syntax', severity: 'error', message });
  }
  return parsed.document.errors.length > 0 ? undefined : parsed;
}

function locator(file: string, positionOf: PositionedFile['positionOf']): At {
  return (where, rule, message, severity = 'error') => {
    const problem = { file, rule, severity, message: `${describe(where)}: ${message}` };
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
    problems.push(at(where, 'schema', plainZodMessage(issue)));
  }
}

function plainZodMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys')
    return `unknown field(s) ${issue.keys.map((key) => `"${key}"`).join(', ')} — check the spelling`;
  if (issue.code === 'invalid_type' && issue.input === undefined) return `is required (expected ${issue.expected})`;
  return issue.message;
}
