import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ACCOUNT_CALLS, isAccountCall } from '../dialog/accountCalls';
import {
  dialogSchema,
  formNodeSchema,
  isFormNode,
  messageNodeSchema,
  type DialogFile,
  type DialogNode,
} from './dialogSchema';
import type { Language, Namespace } from '../dialog/languages';
import { flatten, readLocaleFiles, type LocaleFile } from './localeFiles';
import { ContentError, saying, type ContentProblem } from './problems';
import { isBacktrackingSafe } from './regexSafety';
import { STUDIO_PAGE_PLACEHOLDERS, STUDIO_PAGE_PREFIX, SYSTEM_KEYS } from '../dialog/systemKeys';
import { fillIn, said, sayIn, studioWordPlaceholders, type Said, type WordValues } from '../dialog/studioWords';
import { checkTexts, splitKey, type KeyUse } from './textChecks';
import { checkExampleFiles, readExamples, type Examples } from './examples';
import { checkGlossary } from './glossary';
import { checkButtonTitles } from './buttonChecks';
import { CHECKED_CONTENT_DIR, checkedName, keepChecked, readChecked } from './checkedCache';
import { compileValidator, type SlotValidator } from './validators';
import { readYamlFile, zodProblems, type At } from './yamlLocator';

export { ContentError, formatProblem, type ContentProblem } from './problems';

export const DIALOG_FILE = path.join('dialogs', 'helpdesk.yaml');

export type Resources = Record<Language, Record<Namespace, Record<string, unknown>>>;

/** Everything the bot says and does, loaded from dialogs/ and locales/ and checked. */
export interface Content {
  readonly dialog: DialogFile;
  readonly validators: Readonly<Record<string, SlotValidator>>;
  /** Which validator checks each slot (a slot is checked the same way in every form). */
  readonly slotValidators: Readonly<Record<string, string>>;
  readonly resources: Resources;
  /** Example messages per language that teach the bot to understand free text. */
  readonly examples: Examples;
  /** Changes whenever the dialog's shape changes, so stored conversations from older content are recognised. */
  readonly version: string;
  /** Problems that do not stop the bot (unused texts), to show to whoever edits the content. */
  readonly warnings: readonly ContentProblem[];
}

/** Keys listed in locales/untranslated-allowed.json may read the same as in English (names, brands). */
export const UNTRANSLATED_ALLOWED_FILE = path.join('locales', 'untranslated-allowed.json');

/**
 * Loads and checks the content under `root`; throws ContentError when there is any error. Content that passed
 * the checks is kept under the hash of its files and of the checking code, so a start with the same content
 * reads it back instead of parsing and checking it all again (`npm run build` checks the current content).
 */
export function loadContent(root: string, cacheDir: string = CHECKED_CONTENT_DIR): Content {
  const name = checkedName(root);
  const kept = readChecked<Content>(cacheDir, name);
  if (kept) return kept;
  const { content, problems } = checkContent(root);
  if (!content) throw new ContentError(problems);
  keepChecked(cacheDir, name, content);
  return content;
}

/** Runs every check on the content under `root`; the content is returned only when there is no error. */
export function checkContent(root: string): { content?: Content; problems: ContentProblem[] } {
  const checked = checkAll(root);
  sayInEnglish(root, checked.problems);
  return checked;
}

/**
 * The problems' messages in the content's own English (locales/en/web.json, "studio.problem"); a text that cannot
 * be read leaves the key and its values, so a broken or missing file still gives a readable problem.
 */
function sayInEnglish(root: string, problems: ContentProblem[]): void {
  if (!problems.some((problem) => problem.says)) return;
  let texts = new Map<string, unknown>();
  try {
    const web: unknown = JSON.parse(readFileSync(path.join(root, 'locales', 'en', 'web.json'), 'utf8'));
    if (web && typeof web === 'object') texts = new Map(flatten(web as Record<string, unknown>));
  } catch {
    // Said plainly below; the file's own problem is among the problems.
  }
  const english = (key: string, values: WordValues) => {
    const text = texts.get(splitKey(key).path);
    return typeof text === 'string' ? fillIn(text, values) : undefined;
  };
  for (const problem of problems) {
    if (!problem.says) continue;
    const message = sayIn(english, problem.says);
    problem.message = problem.place ? `${problem.place}: ${message}` : message;
  }
}

function checkAll(root: string): { content?: Content; problems: ContentProblem[] } {
  const problems: ContentProblem[] = [];
  const localeFiles = readLocaleFiles(root, problems);
  const allowed = readAllowlist(root, problems);
  const parsed = readYamlFile(root, DIALOG_FILE, said('problem.dialogMissing'), problems);
  const dialog = parsed ? parseDialog(parsed.document.toJS(), parsed.at, problems) : undefined;
  if (!parsed || !dialog) {
    // The dialog does not load: the checks that do not need it still run, so every mistake shows at once.
    checkTexts(localeFiles, undefined, allowed, undefined, problems);
    checkGlossary(root, localeFiles, problems);
    checkExampleFiles(root, problems);
    return { problems };
  }
  const { at } = parsed;

  const validators: Record<string, SlotValidator> = {};
  for (const [name, spec] of Object.entries(dialog.validators)) {
    try {
      validators[name] = compileValidator(spec);
    } catch (error) {
      problems.push(
        at(
          ['validators', name, 'pattern'],
          'bad-pattern',
          said('problem.badPattern', { detail: (error as Error).message }),
        ),
      );
      continue;
    }
    if (spec.kind === 'pattern' && !isBacktrackingSafe(spec.pattern)) {
      problems.push(at(['validators', name, 'pattern'], 'unsafe-pattern', said('problem.unsafePattern')));
    }
  }
  const examples = readExamples(root, dialog, problems);
  // A topic people can type their way to is reachable even when no button leads there.
  const typedTopics = examples
    ? [...new Set(Object.values(examples.byLanguage).flatMap((byLanguage) => Object.keys(byLanguage.topics)))]
    : [];
  const slotValidators = checkDialog(dialog, at, problems, typedTopics);
  const uses: KeyUse[] = [
    ...usedKeys(dialog).map(({ key, where }) => ({
      key,
      problem: (message: Said) => at(where, 'missing-text', message),
    })),
    ...SYSTEM_KEYS.map((key) => ({ key })),
  ];
  const botPlaceholders = knownPlaceholders(dialog);
  const pagePlaceholders = new Set<string>(STUDIO_PAGE_PLACEHOLDERS);
  // The studio page fills its own words itself, the studio's server its own; the bot's texts cannot use their
  // placeholders, nor the other way.
  const placeholdersOf = (id: string) => {
    const serverWords = studioWordPlaceholders(id);
    if (serverWords) return new Set<string>(serverWords);
    return id.startsWith(STUDIO_PAGE_PREFIX) ? pagePlaceholders : botPlaceholders;
  };
  checkTexts(localeFiles, uses, allowed, placeholdersOf, problems);
  checkGlossary(root, localeFiles, problems);
  checkButtonTitles(dialog, localeFiles, problems);

  if (!examples || problems.some((problem) => problem.severity === 'error')) return { problems };
  const version = createHash('sha256').update(JSON.stringify(dialog)).digest('hex').slice(0, 12);
  return {
    content: {
      dialog,
      validators,
      slotValidators,
      resources: resourcesOf(localeFiles),
      examples,
      version,
      warnings: problems,
    },
    problems,
  };
}

/**
 * What the bot can put into a text: the links, the answers forms collect, what actions return, counts, the
 * site a Teams card's "Open …" button opens, and on the studio's sign-in pages the OpenID provider's name and the
 * account signed in.
 */
function knownPlaceholders(dialog: DialogFile): Set<string> {
  const names = new Set<string>([
    'count',
    'site',
    'provider',
    'account',
    ...Object.keys(dialog.links).map((name) => `links.${name}`),
  ]);
  for (const node of Object.values(dialog.nodes))
    if (isFormNode(node)) for (const question of node.ask) names.add(question.slot);
  for (const action of Object.values(ACCOUNT_CALLS)) for (const name of Object.keys(action.params)) names.add(name);
  return names;
}

function resourcesOf(files: LocaleFile[]): Resources {
  const resources = {} as Resources;
  for (const file of files) {
    resources[file.language] ??= {} as Record<Namespace, Record<string, unknown>>;
    resources[file.language][file.ns] = file.data;
  }
  return resources;
}

function readAllowlist(root: string, problems: ContentProblem[]): Set<string> {
  const file = path.join(root, UNTRANSLATED_ALLOWED_FILE);
  if (!existsSync(file)) return new Set();
  try {
    const value = JSON.parse(readFileSync(file, 'utf8')) as { keys?: unknown };
    if (Array.isArray(value.keys) && value.keys.every((key) => typeof key === 'string'))
      return new Set(value.keys as string[]);
  } catch {
    // reported below
  }
  problems.push({
    file: UNTRANSLATED_ALLOWED_FILE,
    rule: 'json-syntax',
    severity: 'error',
    ...saying('problem.allowlist'),
  });
  return new Set();
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

function checkDialog(
  dialog: DialogFile,
  at: At,
  problems: ContentProblem[],
  typedTopics: string[],
): Record<string, string> {
  const nodeIds = new Set(Object.keys(dialog.nodes));
  const slotValidators: Record<string, string> = {};
  const start = dialog.nodes[dialog.start];
  if (!start) problems.push(at(['start'], 'unknown-target', said('problem.noNode', { target: dialog.start })));
  else if (isFormNode(start)) problems.push(at(['start'], 'schema', said('problem.startIsForm')));
  else if (start.choices.length === 0)
    problems.push(at(['nodes', dialog.start, 'choices'], 'dead-end', said('problem.startNoChoices')));

  if (dialog.handover) {
    const handover = dialog.nodes[dialog.handover];
    if (!handover)
      problems.push(at(['handover'], 'unknown-target', said('problem.noNode', { target: dialog.handover })));
    else if (isFormNode(handover)) problems.push(at(['handover'], 'schema', said('problem.handoverIsForm')));
  }

  if (dialog.offTopic && !dialog.nodes[dialog.offTopic])
    problems.push(at(['offTopic'], 'unknown-target', said('problem.noNode', { target: dialog.offTopic })));

  const targets = new Map<string, string[]>();
  const link = (from: string, to: string, where: (string | number)[]) => {
    if (!nodeIds.has(to)) problems.push(at(where, 'unknown-target', said('problem.leadsNowhere', { target: to })));
    targets.set(from, [...(targets.get(from) ?? []), to]);
  };

  for (const [id, node] of Object.entries(dialog.nodes)) {
    if (!isFormNode(node)) {
      const seen = new Set<string>();
      node.choices.forEach((choice, index) => {
        link(id, choice.goto, ['nodes', id, 'choices', index, 'goto']);
        if (seen.has(choice.goto))
          problems.push(
            at(
              ['nodes', id, 'choices', index, 'goto'],
              'duplicate-choice',
              said('problem.twoChoices', { target: choice.goto }),
            ),
          );
        seen.add(choice.goto);
      });
      if (node.then) link(id, node.then, ['nodes', id, 'then']);
      for (const answer of ['yes', 'no'] as const) {
        const target = node[answer];
        if (target && !seen.has(target))
          problems.push(at(['nodes', id, answer], 'unknown-target', said('problem.notAChoice', { target, answer })));
      }
      continue;
    }
    if (!isAccountCall(node.action)) {
      problems.push(
        at(
          ['nodes', id, 'action'],
          'unknown-action',
          said('problem.unknownAction', { action: node.action, actions: Object.keys(ACCOUNT_CALLS).join(', ') }),
        ),
      );
      continue;
    }
    const spec = ACCOUNT_CALLS[node.action];
    const slots = new Set<string>();
    node.ask.forEach((question, index) => {
      if (slots.has(question.slot))
        problems.push(
          at(
            ['nodes', id, 'ask', index, 'slot'],
            'duplicate-slot',
            said('problem.askedTwice', { slot: question.slot }),
          ),
        );
      slots.add(question.slot);
      if (!dialog.validators[question.validator]) {
        problems.push(
          at(
            ['nodes', id, 'ask', index, 'validator'],
            'unknown-validator',
            said('problem.noValidator', { validator: question.validator }),
          ),
        );
      }
      const previous = slotValidators[question.slot];
      if (previous && previous !== question.validator) {
        problems.push(
          at(
            ['nodes', id, 'ask', index, 'validator'],
            'inconsistent-validator',
            said('problem.otherValidator', { slot: question.slot, previous }),
          ),
        );
      }
      slotValidators[question.slot] = question.validator;
      if (question.missing) link(id, question.missing.goto, ['nodes', id, 'ask', index, 'missing', 'goto']);
      if (node.confirm && !question.edit) {
        problems.push(at(['nodes', id, 'ask', index], 'missing-edit-label', said('problem.editLabel')));
      }
    });
    for (const input of spec.inputs) {
      if (!slots.has(input))
        problems.push(
          at(['nodes', id, 'ask'], 'missing-input', said('problem.missingInput', { action: node.action, input })),
        );
    }
    for (const outcome of spec.outcomes) {
      if (!node.outcomes[outcome])
        problems.push(
          at(
            ['nodes', id, 'outcomes'],
            'missing-outcome',
            said('problem.missingOutcome', { action: node.action, outcome }),
          ),
        );
    }
    for (const [outcome, target] of Object.entries(node.outcomes)) {
      if (!(spec.outcomes as readonly string[]).includes(outcome)) {
        problems.push(
          at(
            ['nodes', id, 'outcomes', outcome],
            'unknown-outcome',
            said('problem.unknownOutcome', { action: node.action, outcome, outcomes: spec.outcomes.join(', ') }),
          ),
        );
      }
      link(id, target, ['nodes', id, 'outcomes', outcome]);
    }
  }

  const reached = new Set<string>();
  const queue = [dialog.start, ...(dialog.handover ? [dialog.handover] : []), ...typedTopics].filter((id) =>
    nodeIds.has(id),
  );
  while (queue.length > 0) {
    const id = queue.shift()!;
    if (reached.has(id)) continue;
    reached.add(id);
    queue.push(...(targets.get(id) ?? []).filter((to) => nodeIds.has(to)));
  }
  for (const id of nodeIds) {
    if (!reached.has(id))
      problems.push(
        at(
          ['nodes', id],
          'unreachable',
          said('problem.unreachable', { start: dialog.start, folder: 'dialogs/understanding/' }),
        ),
      );
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
        if (question.missing)
          keys.push({ key: question.missing.label, where: ['nodes', id, 'ask', index, 'missing', 'label'] });
      });
      if (node.confirm) {
        keys.push({ key: node.confirm.summary, where: ['nodes', id, 'confirm', 'summary'] });
        keys.push({ key: node.confirm.send, where: ['nodes', id, 'confirm', 'send'] });
      }
      keys.push({ key: node.onError, where: ['nodes', id, 'onError'] });
    } else {
      if (node.title) keys.push({ key: node.title, where: ['nodes', id, 'title'] });
      if (node.remind) keys.push({ key: node.remind, where: ['nodes', id, 'remind'] });
      if (node.goodbye) keys.push({ key: node.goodbye, where: ['nodes', id, 'goodbye'] });
      node.say.forEach((key, index) => keys.push({ key, where: ['nodes', id, 'say', index] }));
      if (node.prompt) keys.push({ key: node.prompt, where: ['nodes', id, 'prompt'] });
      node.choices.forEach((choice, index) =>
        keys.push({ key: choice.label, where: ['nodes', id, 'choices', index, 'label'] }),
      );
    }
  }
  for (const [name, spec] of Object.entries(dialog.validators)) {
    keys.push({ key: spec.error, where: ['validators', name, 'error'] });
    if (spec.kind === 'pastDate') {
      for (const [reason, key] of Object.entries(spec.errors))
        if (key) keys.push({ key, where: ['validators', name, 'errors', reason] });
    }
  }
  return keys;
}
