import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { LineCounter, isMap, isScalar, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { ACTIONS, isActionName } from '../machine/actions';
import {
  dialogSchema,
  formNodeSchema,
  isFormNode,
  messageNodeSchema,
  type DialogFile,
  type DialogNode,
} from './dialogSchema';
import { LANGUAGES, NAMESPACES, type Language, type Namespace } from './languages';
import { SYSTEM_KEYS } from './systemKeys';
import { compileValidator, type SlotValidator } from './validators';

export const DIALOG_FILE = path.join('dialogs', 'helpdesk.yaml');

export type Resources = Record<Language, Record<Namespace, Record<string, unknown>>>;

/** Everything the bot says and does, loaded from dialogs/ and locales/ and checked. */
export interface Content {
  readonly dialog: DialogFile;
  readonly validators: Readonly<Record<string, SlotValidator>>;
  /** Which validator checks each slot (a slot is checked the same way in every form). */
  readonly slotValidators: Readonly<Record<string, string>>;
  readonly resources: Resources;
  /** Changes whenever the dialog's shape changes, so stored conversations from older content are recognised. */
  readonly version: string;
}

export interface ContentProblem {
  file: string;
  line?: number;
  column?: number;
  message: string;
}

export class ContentError extends Error {
  constructor(readonly problems: ContentProblem[]) {
    super(`The dialog content has ${problems.length} problem(s):\n${problems.map(formatProblem).join('\n')}`);
    this.name = 'ContentError';
  }
}

export function formatProblem(problem: ContentProblem): string {
  const where = problem.line ? `${problem.file}:${problem.line}:${problem.column ?? 1}` : problem.file;
  return `  ${where}  ${problem.message}`;
}

/** Loads and checks the content under `root`; throws ContentError listing every problem found. */
export function loadContent(root: string): Content {
  const problems: ContentProblem[] = [];
  const dialogPath = path.join(root, DIALOG_FILE);
  const source = readText(dialogPath, DIALOG_FILE, problems);
  const resources = loadResources(root, problems);
  if (source === undefined) throw new ContentError(problems);

  const lineCounter = new LineCounter();
  const document = parseDocument(source, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = locator(document, lineCounter);
  for (const error of document.errors) {
    const pos = lineCounter.linePos(error.pos[0]);
    problems.push({ file: DIALOG_FILE, line: pos.line, column: pos.col, message: `not valid YAML: ${error.message.split('\n')[0]}` });
  }
  if (document.errors.length > 0) throw new ContentError(problems);

  const dialog = parseDialog(document.toJS(), at, problems);
  if (!dialog) throw new ContentError(problems);

  const validators: Record<string, SlotValidator> = {};
  for (const [name, spec] of Object.entries(dialog.validators)) {
    try {
      validators[name] = compileValidator(spec);
    } catch (error) {
      problems.push(at(['validators', name, 'pattern'], `the pattern is not a valid regular expression (${(error as Error).message})`));
    }
  }
  const slotValidators = checkDialog(dialog, at, problems);
  checkTexts(dialog, resources, at, problems);
  if (problems.length > 0) throw new ContentError(problems);

  const version = createHash('sha256').update(JSON.stringify(dialog)).digest('hex').slice(0, 12);
  return { dialog, validators, slotValidators, resources, version };
}

type At = (path: (string | number)[], message: string) => ContentProblem;

function locator(document: Document, lineCounter: LineCounter): At {
  return (where, message) => {
    // Point at the deepest part of the path that exists in the file.
    for (let depth = where.length; depth >= 0; depth--) {
      const range = rangeOf(document, where.slice(0, depth));
      if (range) {
        const pos = lineCounter.linePos(range[0]);
        return { file: DIALOG_FILE, line: pos.line, column: pos.col, message: `${describe(where)}: ${message}` };
      }
    }
    return { file: DIALOG_FILE, message: `${describe(where)}: ${message}` };
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

function zodProblems(error: z.ZodError, prefix: (string | number)[], at: At, problems: ContentProblem[]): void {
  for (const issue of error.issues) {
    const where = [...prefix, ...issue.path.map((part) => (typeof part === 'symbol' ? String(part) : part))];
    problems.push(at(where, plainZodMessage(issue)));
  }
}

function plainZodMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unknown field(s) ${issue.keys.map((key) => `"${key}"`).join(', ')} — check the spelling`;
  if (issue.code === 'invalid_type' && issue.input === undefined) return `is required (expected ${issue.expected})`;
  return issue.message;
}

function parseDialog(raw: unknown, at: At, problems: ContentProblem[]): DialogFile | undefined {
  const top = dialogSchema.safeParse(raw ?? {});
  if (!top.success) {
    zodProblems(top.error, [], at, problems);
    return undefined;
  }
  const nodes: Record<string, DialogNode> = {};
  for (const [id, node] of Object.entries(top.data.nodes)) {
    const schema = 'ask' in node ? formNodeSchema : messageNodeSchema;
    const parsed = schema.safeParse(node);
    if (parsed.success) nodes[id] = parsed.data;
    else zodProblems(parsed.error, ['nodes', id], at, problems);
  }
  return problems.length > 0 ? undefined : { ...top.data, nodes };
}

function checkDialog(dialog: DialogFile, at: At, problems: ContentProblem[]): Record<string, string> {
  const nodeIds = new Set(Object.keys(dialog.nodes));
  const slotValidators: Record<string, string> = {};
  if (!nodeIds.has(dialog.start)) problems.push(at(['start'], `no node named "${dialog.start}"`));
  if (nodeIds.has(dialog.start) && isFormNode(dialog.nodes[dialog.start]!)) {
    problems.push(at(['start'], 'the start node must be a menu of choices, not a form'));
  }

  const targets = new Map<string, string[]>();
  const link = (from: string, to: string, where: (string | number)[]) => {
    if (!nodeIds.has(to)) problems.push(at(where, `leads to "${to}", but there is no node with that name — check the spelling or add the node`));
    targets.set(from, [...(targets.get(from) ?? []), to]);
  };

  for (const [id, node] of Object.entries(dialog.nodes)) {
    if (!isFormNode(node)) {
      const seen = new Set<string>();
      node.choices.forEach((choice, index) => {
        link(id, choice.goto, ['nodes', id, 'choices', index, 'goto']);
        if (seen.has(choice.goto)) problems.push(at(['nodes', id, 'choices', index, 'goto'], `two choices lead to "${choice.goto}"; keep one`));
        seen.add(choice.goto);
      });
      continue;
    }
    if (!isActionName(node.action)) {
      problems.push(at(['nodes', id, 'action'], `unknown action "${node.action}"; known actions: ${Object.keys(ACTIONS).join(', ')}`));
      continue;
    }
    const spec = ACTIONS[node.action];
    const slots = new Set<string>();
    node.ask.forEach((question, index) => {
      if (slots.has(question.slot)) problems.push(at(['nodes', id, 'ask', index, 'slot'], `"${question.slot}" is asked twice in this form`));
      slots.add(question.slot);
      if (!dialog.validators[question.validator]) {
        problems.push(at(['nodes', id, 'ask', index, 'validator'], `no validator named "${question.validator}" under "validators"`));
      }
      const previous = slotValidators[question.slot];
      if (previous && previous !== question.validator) {
        problems.push(at(['nodes', id, 'ask', index, 'validator'], `"${question.slot}" is checked by "${previous}" elsewhere; use the same validator everywhere`));
      }
      slotValidators[question.slot] = question.validator;
      if (node.confirm && !question.edit) {
        problems.push(at(['nodes', id, 'ask', index], 'forms with a summary need an "edit" label on every question, so each answer can be corrected'));
      }
    });
    for (const input of spec.inputs) {
      if (!slots.has(input)) problems.push(at(['nodes', id, 'ask'], `action "${node.action}" needs an answer for "${input}"; add a question for it`));
    }
    for (const outcome of spec.outcomes) {
      if (!node.outcomes[outcome]) problems.push(at(['nodes', id, 'outcomes'], `say where to go when "${node.action}" ends with "${outcome}"`));
    }
    for (const [outcome, target] of Object.entries(node.outcomes)) {
      if (!(spec.outcomes as readonly string[]).includes(outcome)) {
        problems.push(at(['nodes', id, 'outcomes', outcome], `"${node.action}" never ends with "${outcome}"; its outcomes are ${spec.outcomes.join(', ')}`));
      }
      link(id, target, ['nodes', id, 'outcomes', outcome]);
    }
  }

  const reached = new Set<string>();
  const queue = nodeIds.has(dialog.start) ? [dialog.start] : [];
  while (queue.length > 0) {
    const id = queue.shift()!;
    if (reached.has(id)) continue;
    reached.add(id);
    queue.push(...(targets.get(id) ?? []).filter((to) => nodeIds.has(to)));
  }
  for (const id of nodeIds) {
    if (!reached.has(id)) problems.push(at(['nodes', id], `no choice leads here from "${dialog.start}", so nobody can reach it`));
  }
  return slotValidators;
}

/** Every text key the dialog uses, with where it is used. */
export function usedKeys(dialog: DialogFile): Array<{ key: string; where: (string | number)[] }> {
  const keys: Array<{ key: string; where: (string | number)[] }> = [];
  for (const [id, node] of Object.entries(dialog.nodes)) {
    if (isFormNode(node)) {
      if (node.intro) keys.push({ key: node.intro, where: ['nodes', id, 'intro'] });
      node.ask.forEach((question, index) => {
        keys.push({ key: question.prompt, where: ['nodes', id, 'ask', index, 'prompt'] });
        if (question.edit) keys.push({ key: question.edit, where: ['nodes', id, 'ask', index, 'edit'] });
      });
      if (node.confirm) {
        keys.push({ key: node.confirm.summary, where: ['nodes', id, 'confirm', 'summary'] });
        keys.push({ key: node.confirm.send, where: ['nodes', id, 'confirm', 'send'] });
      }
      keys.push({ key: node.onError, where: ['nodes', id, 'onError'] });
    } else {
      node.say.forEach((key, index) => keys.push({ key, where: ['nodes', id, 'say', index] }));
      if (node.prompt) keys.push({ key: node.prompt, where: ['nodes', id, 'prompt'] });
      node.choices.forEach((choice, index) => keys.push({ key: choice.label, where: ['nodes', id, 'choices', index, 'label'] }));
    }
  }
  for (const [name, spec] of Object.entries(dialog.validators)) {
    keys.push({ key: spec.error, where: ['validators', name, 'error'] });
    if (spec.kind === 'pastDate') {
      for (const [reason, key] of Object.entries(spec.errors)) if (key) keys.push({ key, where: ['validators', name, 'errors', reason] });
    }
  }
  return keys;
}

/** Splits "common:choice.back" into its namespace and path. */
export function splitKey(key: string): { ns: Namespace; path: string } {
  const [ns, rest] = key.includes(':') ? (key.split(':', 2) as [string, string]) : ['helpdesk', key];
  return { ns: ns as Namespace, path: rest };
}

function lookup(tree: Record<string, unknown>, dotted: string): unknown {
  return dotted.split('.').reduce<unknown>((node, part) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined), tree);
}

/** True when the key has a text, or plural forms (_one/_other), in that language. */
export function hasText(resources: Resources, language: Language, key: string): boolean {
  const { ns, path: dotted } = splitKey(key);
  const tree = resources[language]?.[ns];
  if (!tree) return false;
  const isText = (value: unknown) => typeof value === 'string' && value.trim().length > 0;
  return isText(lookup(tree, dotted)) || (isText(lookup(tree, `${dotted}_one`)) && isText(lookup(tree, `${dotted}_other`)));
}

function checkTexts(dialog: DialogFile, resources: Resources, at: At, problems: ContentProblem[]): void {
  for (const { key, where } of usedKeys(dialog)) {
    const missing = LANGUAGES.filter((language) => !hasText(resources, language, key));
    if (missing.length > 0) {
      const { ns } = splitKey(key);
      problems.push(at(where, `the text "${key}" is missing in ${missing.map((language) => `locales/${language}/${ns}.json`).join(', ')}`));
    }
  }
  for (const key of SYSTEM_KEYS) {
    for (const language of LANGUAGES) {
      if (!hasText(resources, language, key)) {
        const { ns, path: dotted } = splitKey(key);
        problems.push({ file: path.join('locales', language, `${ns}.json`), message: `the text "${dotted}" is missing; the bot needs it` });
      }
    }
  }
}

function loadResources(root: string, problems: ContentProblem[]): Resources {
  const resources = {} as Resources;
  for (const language of LANGUAGES) {
    resources[language] = {} as Record<Namespace, Record<string, unknown>>;
    for (const ns of NAMESPACES) {
      const file = path.join('locales', language, `${ns}.json`);
      const text = readText(path.join(root, file), file, problems);
      resources[language][ns] = text === undefined ? {} : parseJson(text, file, problems);
    }
  }
  return resources;
}

function readText(absolute: string, file: string, problems: ContentProblem[]): string | undefined {
  if (!existsSync(absolute)) {
    problems.push({ file, message: 'the file is missing' });
    return undefined;
  }
  return readFileSync(absolute, 'utf8');
}

function parseJson(text: string, file: string, problems: ContentProblem[]): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
    problems.push({ file, line: 1, column: 1, message: 'must be a JSON object of texts ({ "key": "text" })' });
  } catch (error) {
    const position = /position (\d+)/.exec((error as Error).message);
    const offset = position ? Number(position[1]) : 0;
    const before = text.slice(0, offset).split('\n');
    problems.push({
      file,
      line: before.length,
      column: before.at(-1)!.length + 1,
      message: `not valid JSON (${(error as Error).message.split('\n')[0]}); look for a missing comma or quote near here`,
    });
  }
  return {};
}
