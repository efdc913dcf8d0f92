import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { isMap, isScalar, isSeq, parseDocument, Scalar, type Document, type YAMLMap } from 'yaml';
import { z } from 'zod';
import type { Content } from '../content/loadContent';
import { ACCOUNT_CALLS } from '../dialog/accountCalls';
import { LANGUAGES, type Language } from '../dialog/languages';
import { languageModelOf } from '../nlu/fromContent';
import { problemSaying, type Problem } from './checks';
import { languagesSaid, STUDIO_WORDS, type StudioWord, type WordValues } from '../dialog/studioWords';
import type { EvalSet } from './nluEvaluation';
import type { Snapshot } from './snapshot';
import { SYSTEM_KEYS } from '../dialog/systemKeys';
import { textsOf, withoutText, withText } from './texts';

/** The dialog file and the files of examples, as the studio's versions name them. */
export const DIALOG_FILE = 'dialogs/helpdesk.yaml';
export const exampleFileOf = (language: Language) => `dialogs/understanding/${language}.yaml`;

const NAME = /^[A-Za-z][A-Za-z0-9]*$/;
const TEXT_KEY = /^(common:)?[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)*$/;

/** One change to the dialog's structure or to what candidates type, as the API takes it. */
export type StructureChange =
  | {
      op: 'setStep';
      id: string;
      step: Record<string, unknown>;
      texts?: Record<string, Partial<Record<Language, string>>>;
    }
  | { op: 'renameStep'; id: string; to: string }
  | { op: 'removeStep'; id: string }
  | { op: 'setExamples'; language: Language; topic: string; examples: string[] };

// Each own message is the key of the studio's text that says it (see zodProblem).
const name = z.string().regex(NAME, 'problem.name' satisfies StudioWord);
/** The kinds of change a request may send. */
const CHANGE_OPS = ['setStep', 'renameStep', 'removeStep', 'setExamples'] as const;
const changeSchema = z.discriminatedUnion('op', [
  z.strictObject({
    op: z.literal('setStep'),
    id: name,
    step: z.record(z.string(), z.unknown(), { error: 'problem.stepFields' satisfies StudioWord }),
    texts: z
      .record(
        z.string().regex(TEXT_KEY, 'problem.textKey' satisfies StudioWord),
        z.partialRecord(z.enum(LANGUAGES), z.string().max(5000)),
      )
      .optional(),
  }),
  z.strictObject({ op: z.literal('renameStep'), id: name, to: name }),
  z.strictObject({ op: z.literal('removeStep'), id: name }),
  z.strictObject({
    op: z.literal('setExamples'),
    language: z.enum(LANGUAGES),
    topic: name,
    examples: z
      .array(z.string({ error: 'problem.exampleMessage' satisfies StudioWord }).max(500), {
        error: 'problem.exampleList' satisfies StudioWord,
      })
      .max(1000),
  }),
]);

/** The changes a request sends, or what is wrong with them, each problem naming its field. */
export function parseChanges(value: unknown): { changes: StructureChange[] } | { problems: Problem[] } {
  const parsed = z
    .array(changeSchema)
    .min(1, 'problem.someChange' satisfies StudioWord)
    .max(200)
    .safeParse(value);
  if (parsed.success) return { changes: parsed.data as StructureChange[] };
  return {
    problems: parsed.error.issues.map((issue) =>
      problemSaying(
        ['changes', ...issue.path]
          .map((part, index) =>
            typeof part === 'number' ? `[${part}]` : index === 0 ? String(part) : `.${String(part)}`,
          )
          .join(''),
        ...zodWords(issue),
      ),
    ),
  };
}

/** What a schema issue says: its own text when the schema names one, else the studio's words for its kind. */
function zodWords(issue: z.core.$ZodIssue): [StudioWord, WordValues?] {
  if (issue.message === 'problem.textKey') return ['problem.textKey', { example: 'lockout.body' }];
  if (issue.message in STUDIO_WORDS) return [issue.message as StudioWord];
  const list = (values: readonly unknown[]) => values.map((value) => JSON.stringify(value)).join(', ');
  switch (issue.code) {
    case 'invalid_type':
      return ['problem.wrongType', { expected: issue.expected }];
    case 'unrecognized_keys':
      return ['problem.unknownFields', { fields: issue.keys.join(', ') }];
    case 'invalid_value':
      return ['problem.oneOf', { values: list(issue.values) }];
    case 'too_big':
      return ['problem.tooLong', { maximum: String(issue.maximum) }];
    case 'invalid_union':
      return ['problem.oneOf', { values: list(CHANGE_OPS) }];
    default:
      return ['problem.invalid'];
  }
}

function hash(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 20);
}

function documentOf(files: Snapshot, file: string): Document | undefined {
  const text = files[file];
  if (text === undefined) return undefined;
  const document = parseDocument(text);
  return document.errors.length > 0 ? undefined : document;
}

/**
 * The file written back as the files are written: long lines kept whole, `[a, b]` without inner spaces and, when
 * the file writes them so, `{ a: b }` with them (the YAML library pads both kinds or neither).
 */
function write(document: Document, before: string | undefined): string {
  const text = document.toString({ lineWidth: 0, flowCollectionPadding: false });
  if (!before || !/^\s*(- |[\w-]+: )\{ /m.test(before)) return text;
  return text.replace(/^(\s*(?:- |[\w-]+: ))\{([^\s{}][^{}\n]*[^\s{}])\}$/gm, '$1{ $2 }');
}

/** A step as the dialog file writes it, or undefined. */
export function stepOf(files: Snapshot, id: string): Record<string, unknown> | undefined {
  const node = documentOf(files, DIALOG_FILE)?.getIn(['nodes', id]);
  return isMap(node) ? (node.toJSON() as Record<string, unknown>) : undefined;
}

export function examplesOf(files: Snapshot, language: Language, topic: string): string[] {
  const list = documentOf(files, exampleFileOf(language))?.getIn(['topics', topic]);
  return isSeq(list) ? (list.toJSON() as unknown[]).map(String) : [];
}

/** Changes when the step changes (or appears, or goes). */
export const stepEtag = (files: Snapshot, id: string) => hash('step', id, JSON.stringify(stepOf(files, id) ?? null));

export const examplesEtag = (files: Snapshot, language: Language, topic: string) =>
  hash('examples', language, topic, JSON.stringify(examplesOf(files, language, topic)));

/** Changes with any change to the dialog file or the files of examples. */
export const structureEtag = (files: Snapshot) =>
  hash('structure', files[DIALOG_FILE] ?? '', ...LANGUAGES.map((language) => files[exampleFileOf(language)] ?? ''));

/**
 * The whole structure, for the page: steps as written, validators, the actions a form may name (the answers each
 * needs, the results it ends in), the menu, and how many examples each topic has.
 */
export function structureOf(files: Snapshot) {
  const dialog = (documentOf(files, DIALOG_FILE)?.toJSON() ?? {}) as {
    start?: string;
    handover?: string;
    offTopic?: string;
    validators?: Record<string, { kind?: string }>;
    nodes?: Record<string, Record<string, unknown>>;
  };
  const nodes = dialog.nodes ?? {};
  const start = nodes[dialog.start ?? ''];
  const examples: Record<string, Partial<Record<Language, number>>> = {};
  for (const language of LANGUAGES) {
    const topics = documentOf(files, exampleFileOf(language))?.get('topics');
    if (!isMap(topics)) continue;
    for (const item of topics.items) {
      const topic = String(isScalar(item.key) ? item.key.value : item.key);
      (examples[topic] ??= {})[language] = isSeq(item.value) ? item.value.items.length : 0;
    }
  }
  return {
    start: dialog.start,
    handover: dialog.handover,
    offTopic: dialog.offTopic,
    menu: Array.isArray(start?.choices) ? (start.choices as Array<{ goto?: string }>).map((choice) => choice.goto) : [],
    validators: Object.fromEntries(Object.entries(dialog.validators ?? {}).map(([id, spec]) => [id, spec.kind])),
    actions: Object.fromEntries(
      Object.entries(ACCOUNT_CALLS).map(([action, call]) => [
        action,
        { inputs: [...call.inputs], outcomes: [...call.outcomes] },
      ]),
    ),
    steps: Object.fromEntries(Object.entries(nodes).map(([id, step]) => [id, { step, etag: stepEtag(files, id) }])),
    examples,
    etag: structureEtag(files),
  };
}

/** Renames every field of a step that names another step: choices, yes/no, then, a form's outcomes and way-outs. */
function renameIn(step: YAMLMap, from: string, to: string): void {
  // The scalar is changed in place, so a comment beside it stays.
  const swap = (value: unknown) => {
    if (isScalar(value) && value.value === from) value.value = to;
  };
  for (const field of ['yes', 'no', 'then', 'goto']) swap(step.get(field, true));
  const choices = step.get('choices');
  if (isSeq(choices)) for (const choice of choices.items) if (isMap(choice)) renameIn(choice, from, to);
  const outcomes = step.get('outcomes');
  if (isMap(outcomes)) for (const pair of outcomes.items) swap(pair.value);
  const ask = step.get('ask');
  if (isSeq(ask))
    for (const question of ask.items) {
      const missing = isMap(question) ? question.get('missing') : undefined;
      if (isMap(missing)) renameIn(missing, from, to);
    }
}

/** A step's fields set to `step`, in its order, keeping the comments of the fields that did not change. */
function setStep(document: Document, nodes: YAMLMap, id: string, step: Record<string, unknown>): void {
  const existing = nodes.get(id);
  if (!isMap(existing)) {
    const pair = document.createPair(id, step);
    (pair.key as Scalar).spaceBefore = true;
    nodes.items.push(pair as never);
    return;
  }
  const pairs = new Map(existing.items.map((pair) => [String(isScalar(pair.key) ? pair.key.value : pair.key), pair]));
  existing.items = Object.entries(step).map(([field, value]) => {
    const pair = pairs.get(field);
    const before = pair?.value as { toJSON?: () => unknown } | undefined;
    if (pair && isDeepStrictEqual(before?.toJSON ? before.toJSON() : before, value)) return pair;
    const made = document.createPair(field, value);
    if (pair) made.key = pair.key as typeof made.key;
    // A list written on one line (`say: [a, b]`) stays on one line.
    if ((isSeq(before) || isMap(before)) && before.flow && (isSeq(made.value) || isMap(made.value)))
      made.value.flow = true;
    return made as (typeof existing.items)[number];
  });
}

/** A text to add to a step, in the five languages, for which the studio makes the key: `{ newText: { en, … } }`. */
const newTextSchema = z.strictObject({ newText: z.partialRecord(z.enum(LANGUAGES), z.string().max(5000)) });

/** The fields of a step that name the texts it says and asks, and the name a text added to each is keyed by. */
const SAID_FIELDS = { say: 'body', prompt: 'prompt' } as const;

/** The text keys a step's `say` and `prompt` name. */
function saidKeys(step: unknown): string[] {
  if (!step || typeof step !== 'object') return [];
  const { say, prompt } = step as { say?: unknown; prompt?: unknown };
  return [...(Array.isArray(say) ? say : []), prompt].filter((key): key is string => typeof key === 'string');
}

/** Every string the dialog holds (text keys among them), to tell whether a text is used anywhere. */
function stringsIn(value: unknown, found = new Set<string>()): Set<string> {
  if (typeof value === 'string') found.add(value);
  else if (value && typeof value === 'object') for (const each of Object.values(value)) stringsIn(each, found);
  return found;
}

/**
 * The step with each new text of its `say` and `prompt` given a key made from the step's name (`lockout.body2`), a
 * key no text, section or field has; the texts by key; a problem for each new text a language lacks.
 */
function withNewTexts(
  files: Snapshot,
  dialog: Document,
  id: string,
  step: Record<string, unknown>,
): { step: Record<string, unknown>; texts: Record<string, Record<Language, string>>; problems: Problem[] } {
  const texts: Record<string, Record<Language, string>> = {};
  const problems: Problem[] = [];
  let taken: Set<string> | undefined;
  const keyFor = (name: string) => {
    if (!taken) {
      taken = stringsIn(dialog.toJSON());
      for (const language of LANGUAGES)
        for (const key of textsOf(files, language).keys()) {
          const parts = key.replace(/_.*$/, '').split('.');
          parts.forEach((_, index) => taken!.add(parts.slice(0, index + 1).join('.')));
        }
    }
    let number = 1;
    while (taken.has(`${id}.${name}${number > 1 ? number : ''}`)) number++;
    const key = `${id}.${name}${number > 1 ? number : ''}`;
    taken.add(key);
    return key;
  };
  const made = (value: unknown, field: string, name: string): unknown => {
    const parsed = newTextSchema.safeParse(value);
    if (!parsed.success) return value;
    const missing = LANGUAGES.filter((language) => !parsed.data.newText[language]?.trim());
    if (missing.length > 0) {
      problems.push(problemSaying(field, 'problem.newTextLanguages', { languages: languagesSaid(missing) }));
      return value;
    }
    const key = keyFor(name);
    texts[key] = Object.fromEntries(
      LANGUAGES.map((language) => [language, parsed.data.newText[language]!.trim()]),
    ) as Record<Language, string>;
    return key;
  };
  const path = `nodes.${id}`;
  const result = { ...step };
  if (Array.isArray(step.say))
    result.say = step.say.map((value, index) => made(value, `${path}.say[${index}]`, SAID_FIELDS.say));
  if (step.prompt !== undefined) result.prompt = made(step.prompt, `${path}.prompt`, SAID_FIELDS.prompt);
  return { step: result, texts, problems };
}

/** The examples written as the files write them: a block list of double-quoted lines. */
function exampleList(document: Document, examples: string[]) {
  const list = document.createNode(examples.map((text) => text.trim()).filter(Boolean));
  if (isSeq(list)) for (const item of list.items) if (isScalar(item)) item.type = Scalar.QUOTE_DOUBLE;
  return list;
}

/**
 * The files with the changes made, the comments and layout of everything else kept; the problems are with the
 * request itself (a step that is not there), never content rules (the content checks say those).
 */
export function applyChanges(
  files: Snapshot,
  changes: readonly StructureChange[],
): { files: Snapshot; problems: Problem[]; topics: Set<string> } {
  let result = { ...files };
  const problems: Problem[] = [];
  const topics = new Set<string>();
  const dialog = documentOf(result, DIALOG_FILE);
  const nodes = dialog?.get('nodes');
  if (!dialog || !isMap(nodes)) return { files, problems: [problemSaying('dialog', 'problem.dialogBroken')], topics };
  const examples = new Map<Language, Document>();
  const examplesIn = (language: Language) => {
    let document = examples.get(language);
    if (!document) {
      document = documentOf(result, exampleFileOf(language)) ?? parseDocument('topics: {}\n');
      examples.set(language, document);
    }
    if (!isMap(document.get('topics'))) document.set('topics', document.createNode({}));
    return document.get('topics') as YAMLMap;
  };

  // Texts a step no longer says or asks; each leaves the locale files unless something else still names it.
  const dropped = new Set<string>();

  changes.forEach((change, index) => {
    const field = `changes[${index}]`;
    if (change.op === 'setStep') {
      const made = withNewTexts(result, dialog, change.id, change.step);
      if (made.problems.length > 0) {
        problems.push(...made.problems);
        return;
      }
      const kept = new Set(saidKeys(made.step));
      for (const key of saidKeys(nodes.get(change.id, true)?.toJSON())) if (!kept.has(key)) dropped.add(key);
      setStep(dialog, nodes, change.id, made.step);
      topics.add(change.id);
      for (const [key, byLanguage] of Object.entries({ ...change.texts, ...made.texts }))
        for (const [language, text] of Object.entries(byLanguage))
          result = withText(result, { language: language as Language, key }, text);
      return;
    }
    if (change.op === 'setExamples') {
      const list = examplesIn(change.language);
      const document = examples.get(change.language)!;
      if (change.examples.some((text) => text.trim())) list.set(change.topic, exampleList(document, change.examples));
      else list.delete(change.topic);
      topics.add(change.topic);
      return;
    }
    if (!isMap(nodes.get(change.id))) {
      problems.push(problemSaying(`${field}.id`, 'problem.noStep', { step: change.id }));
      return;
    }
    if (change.op === 'renameStep') {
      if (nodes.has(change.to)) {
        problems.push(problemSaying(`${field}.to`, 'problem.stepExists', { step: change.to }));
        return;
      }
      const pair = nodes.items.find((item) => isScalar(item.key) && item.key.value === change.id)!;
      (pair.key as Scalar).value = change.to;
      for (const top of ['start', 'handover', 'offTopic']) {
        const value = dialog.get(top, true);
        if (isScalar(value) && value.value === change.id) value.value = change.to;
      }
      for (const item of nodes.items) if (isMap(item.value)) renameIn(item.value, change.id, change.to);
      for (const language of LANGUAGES) {
        const list = examplesIn(language);
        const entry = list.items.find((item) => isScalar(item.key) && item.key.value === change.id);
        if (entry) (entry.key as Scalar).value = change.to;
      }
      topics.add(change.to);
      return;
    }
    // Removing a step removes the buttons that lead to it and its examples; anything else that names it is reported.
    nodes.delete(change.id);
    for (const item of nodes.items) {
      const step = item.value;
      if (!isMap(step)) continue;
      const choices = step.get('choices');
      if (isSeq(choices))
        choices.items = choices.items.filter((choice) => !(isMap(choice) && choice.get('goto') === change.id));
      for (const answer of ['yes', 'no']) if (step.get(answer) === change.id) step.delete(answer);
    }
    for (const language of LANGUAGES) examplesIn(language).delete(change.id);
  });
  const used = stringsIn(dialog.toJSON());
  for (const key of dropped)
    if (!used.has(key) && !SYSTEM_KEYS.includes(key))
      for (const language of LANGUAGES) result = withoutText(result, { language, key });
  result[DIALOG_FILE] = write(dialog, files[DIALOG_FILE]);
  for (const [language, document] of examples)
    result[exampleFileOf(language)] = write(document, files[exampleFileOf(language)]);
  return { files: result, problems, topics };
}

/** A message that went to its own topic before a change and to a changed topic after it. */
export interface Capture {
  /** The changed topic that now takes the message. */
  topic: string;
  /** The topic the message belongs to. */
  from: string;
  language: Language;
  text: string;
  /** "example": one of the other topic's examples; "held-out": a message of the understanding check. */
  kind: 'example' | 'held-out';
}

/**
 * The messages a change of topics starts to capture: other topics' examples and the held-out messages that the
 * draft's model placed right before the change and now places in one of the changed topics.
 */
export function capturesOf(before: Content, after: Content, topics: ReadonlySet<string>, heldOut?: EvalSet): Capture[] {
  if (topics.size === 0) return [];
  const was = languageModelOf(before);
  const is = languageModelOf(after);
  const captures: Capture[] = [];
  const seen = new Set<string>();
  const consider = (language: Language, from: string, text: string, kind: Capture['kind']) => {
    if (topics.has(from) || seen.has(`${language}\0${text}`)) return;
    seen.add(`${language}\0${text}`);
    const now = is.rankIntents(text)[0]?.label.replace(/^topic:/, '');
    if (!now || now === from || !topics.has(now)) return;
    if (was.rankIntents(text)[0]?.label !== `topic:${from}`) return;
    captures.push({ topic: now, from, language, text, kind });
  };
  for (const language of LANGUAGES) {
    for (const [from, texts] of Object.entries(heldOut?.topics[language] ?? {}))
      for (const text of texts) consider(language, from, text, 'held-out');
    for (const [from, texts] of Object.entries(after.examples.byLanguage[language].topics))
      for (const text of texts) consider(language, from, text, 'example');
  }
  return captures;
}
