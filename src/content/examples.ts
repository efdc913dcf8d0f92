import path from 'node:path';
import { z } from 'zod';
import { MOVES, type Move } from '../dialog/moves';
import { fold } from '../dialog/text';
import { isFormNode, type DialogFile } from './dialogSchema';
import { LANGUAGES, type Language } from '../dialog/languages';
import { said, type StudioWord } from '../dialog/studioWords';
import type { ContentProblem } from './problems';
import { readYamlFile, zodProblems, type At } from './yamlLocator';

/** Example messages in one language, as support leads write them in dialogs/understanding/<language>.yaml. */
export interface LanguageExamples {
  /** Dialog node → messages that should lead there. */
  topics: Record<string, string[]>;
  moves: Partial<Record<Move, string[]>>;
  /** Messages that fit nothing: the bot should say it did not understand. */
  none: string[];
}

export const EXAMPLES_DIR = path.join('dialogs', 'understanding');
export const UNSUPPORTED_FILE = path.join(EXAMPLES_DIR, 'unsupported.yaml');

/** Each topic offered on the main menu needs this many examples in every language; other topics and moves fewer. */
export const MIN_MENU_TOPIC_EXAMPLES = 40;
export const MIN_TOPIC_EXAMPLES = 15;
export const MIN_MOVE_EXAMPLES = 10;
export const MIN_NONE_EXAMPLES = 20;

const example = z
  .string()
  .trim()
  .min(1, 'problem.emptyExample' satisfies StudioWord)
  .max(500, 'problem.longExample' satisfies StudioWord);
const list = z.array(example).default([]);

const examplesSchema = z.strictObject({
  topics: z.record(z.string(), list).default({}),
  moves: z
    .strictObject(
      Object.fromEntries(MOVES.map((move) => [move, list.optional()])) as Record<
        (typeof MOVES)[number],
        z.ZodOptional<typeof list>
      >,
    )
    .default({}),
  none: list,
});

const unsupportedSchema = z.strictObject({ unsupported: list });

export interface Examples {
  byLanguage: Record<Language, LanguageExamples>;
  unsupported: string[];
}

/**
 * Reads and checks dialogs/understanding/: one file of example messages per language, and the samples of
 * languages the bot does not speak.
 */
export function readExamples(root: string, dialog: DialogFile, problems: ContentProblem[]): Examples | undefined {
  const before = problems.length;
  const files = readExampleFiles(root, problems);
  const menu = new Set(menuTopics(dialog));
  const topics = new Set([...menu, ...[...files.values()].flatMap(({ data }) => Object.keys(data.topics))]);
  const byLanguage = {} as Record<Language, LanguageExamples>;

  for (const [language, { data, at }] of files) {
    byLanguage[language] = { topics: data.topics, moves: data.moves, none: data.none };
    const seen = new Map<string, string>();
    const note = (text: string, label: string, where: (string | number)[]) => {
      const key = fold(text);
      const earlier = seen.get(key);
      if (earlier && earlier !== label)
        problems.push(at(where, 'conflicting-example', said('problem.exampleTwice', { earlier })));
      seen.set(key, label);
    };
    for (const [topic, texts] of Object.entries(data.topics)) {
      const node = dialog.nodes[topic];
      if (!node)
        problems.push(
          at(
            ['topics', topic],
            'unknown-target',
            said('problem.exampleNoStep', { topic, file: path.join('dialogs', 'helpdesk.yaml') }),
          ),
        );
      else if (isFormNode(node))
        problems.push(at(['topics', topic], 'schema', said('problem.exampleOfForm', { topic })));
      texts.forEach((text, index) => note(text, topic, ['topics', topic, index]));
    }
    for (const move of MOVES)
      (data.moves[move] ?? []).forEach((text, index) => note(text, move, ['moves', move, index]));
    data.none.forEach((text, index) => note(text, 'none', ['none', index]));
    if (dialog.offTopic) offTopicCollisions(data.topics, dialog.offTopic, at, problems);

    for (const topic of topics) {
      const count = data.topics[topic]?.length ?? 0;
      const needed = menu.has(topic) ? MIN_MENU_TOPIC_EXAMPLES : MIN_TOPIC_EXAMPLES;
      if (count >= needed) continue;
      // A new menu topic without any examples yet still works by its button; examples in only some languages do not.
      const anywhere = [...files.values()].some((file) => (file.data.topics[topic]?.length ?? 0) > 0);
      problems.push(
        anywhere
          ? at(['topics', topic], 'few-examples', said('problem.fewExamples', { count, needed }))
          : at(['topics'], 'few-examples', said('problem.noExamplesAnywhere', { topic, needed }), 'warning'),
      );
    }
    for (const move of MOVES) {
      const count = data.moves[move]?.length ?? 0;
      if (count < MIN_MOVE_EXAMPLES)
        problems.push(
          at(['moves', move], 'few-examples', said('problem.fewMoveExamples', { count, needed: MIN_MOVE_EXAMPLES })),
        );
    }
    if (data.none.length < MIN_NONE_EXAMPLES)
      problems.push(
        at(
          ['none'],
          'few-examples',
          said('problem.fewNoneExamples', { count: data.none.length, needed: MIN_NONE_EXAMPLES }),
        ),
      );
  }
  const unsupported = parseYaml(root, UNSUPPORTED_FILE, unsupportedSchema, problems);
  if (problems.slice(before).some((problem) => problem.severity === 'error')) return undefined;
  return { byLanguage, unsupported: unsupported?.data.unsupported ?? [] };
}

/**
 * An off-topic example made of the same words as an example of a topic (in another order, say) teaches the bot
 * to send that topic's messages away: each off-topic example must differ from every topic example in its words.
 */
function offTopicCollisions(
  topics: Record<string, string[]>,
  offTopic: string,
  at: At,
  problems: ContentProblem[],
): void {
  const wordsKey = (text: string) => [...new Set(fold(text).split(' '))].sort().join(' ');
  const topicOf = new Map<string, string>();
  for (const [topic, texts] of Object.entries(topics))
    if (topic !== offTopic) for (const text of texts) topicOf.set(wordsKey(text), topic);
  (topics[offTopic] ?? []).forEach((text, index) => {
    const topic = topicOf.get(wordsKey(text));
    if (topic)
      problems.push(
        at(['topics', offTopic, index], 'off-topic-collision', said('problem.offTopicLikeTopic', { topic })),
      );
  });
}

/** The nodes the start menu leads to: the topics every language must know well. */
function menuTopics(dialog: DialogFile): string[] {
  const start = dialog.nodes[dialog.start];
  return start && !isFormNode(start)
    ? start.choices
        .map((choice) => choice.goto)
        .filter((id) => {
          const node = dialog.nodes[id];
          return node !== undefined && !isFormNode(node);
        })
    : [];
}

/** Each language's file of examples that reads and has the expected shape; the others are problems. */
function readExampleFiles(root: string, problems: ContentProblem[]) {
  const files = new Map<Language, NonNullable<ReturnType<typeof parseYaml<typeof examplesSchema>>>>();
  for (const language of LANGUAGES) {
    const parsed = parseYaml(root, path.join(EXAMPLES_DIR, `${language}.yaml`), examplesSchema, problems);
    if (parsed) files.set(language, parsed);
  }
  return files;
}

/** The example files' own checks (syntax and shape), for when the dialog they point into does not load. */
export function checkExampleFiles(root: string, problems: ContentProblem[]): void {
  readExampleFiles(root, problems);
}

function parseYaml<T extends z.ZodType>(root: string, file: string, schema: T, problems: ContentProblem[]) {
  const yaml = readYamlFile(root, file, said('problem.examplesMissing'), problems);
  if (!yaml) return undefined;
  const parsed = schema.safeParse(yaml.document.toJS() ?? {});
  if (!parsed.success) {
    zodProblems(parsed.error, [], yaml.at, problems);
    return undefined;
  }
  return { data: parsed.data as z.infer<T>, at: yaml.at };
}
