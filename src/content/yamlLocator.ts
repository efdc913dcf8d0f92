import { isMap, isScalar, type Document, type LineCounter } from 'yaml';
import type { z } from 'zod';
import type { ContentProblem, Rule } from './problems';

/** Makes a problem that points at a place in a YAML file, given as a path of keys and indexes. */
export type At = (path: (string | number)[], rule: Rule, message: string, severity?: ContentProblem['severity']) => ContentProblem;

export function locator(file: string, document: Document, lineCounter: LineCounter): At {
  return (where, rule, message, severity = 'error') => {
    const problem = { file, rule, severity, message: `${describe(where)}: ${message}` };
    // Point at the deepest part of the path that exists in the file.
    for (let depth = where.length; depth >= 0; depth--) {
      const range = rangeOf(document, where.slice(0, depth));
      if (range) {
        const pos = lineCounter.linePos(range[0]);
        return { ...problem, line: pos.line, column: pos.col };
      }
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
  return where.reduce<string>((text, part) => (typeof part === 'number' ? `${text}[${part}]` : text ? `${text}.${part}` : part), '');
}

export function zodProblems(error: z.ZodError, prefix: (string | number)[], at: At, problems: ContentProblem[]): void {
  for (const issue of error.issues) {
    const where = [...prefix, ...issue.path.map((part) => (typeof part === 'symbol' ? String(part) : part))];
    problems.push(at(where, 'schema', plainZodMessage(issue)));
  }
}

function plainZodMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unknown field(s) ${issue.keys.map((key) => `"${key}"`).join(', ')} — check the spelling`;
  if (issue.code === 'invalid_type' && issue.input === undefined) return `is required (expected ${issue.expected})`;
  return issue.message;
}

