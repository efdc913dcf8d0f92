import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { PROJECT_ROOT } from '../config';
import { LANGUAGES, type Language } from '../dialog/languages';
import { MOVES } from '../dialog/moves';
import { fold, wordsOf } from '../dialog/text';
import { resolveLanguage } from '../conversation/language';
import { THRESHOLDS, wordCount } from '../conversation/understand';

/**
 * How well the bot understands messages it has never seen, measured on the held-out set in test/nlu/eval.yaml
 * (never used for training). `npm run nlu:eval` prints it; test/nlu/evaluation.test.ts holds the model to the
 * targets the README states.
 */
export const EVAL_FILE = path.join(PROJECT_ROOT, 'test', 'nlu', 'eval.yaml');

export const TARGETS = {
  /** Top-1 topic on held-out messages, in every language and overall. */
  topicAccuracy: 0.97,
  /** The language of a message of `languageMinWords` words or more, among the five and others. */
  languageAccuracy: 0.97,
  languageMinWords: 4,
  /** Off-topic questions (results dates, certificates, fees…) recognised as such, in every language. */
  offTopicRecognised: 0.9,
  /** Messages in languages the bot does not speak (`otherWords` words or more) answered with the five it speaks. */
  otherLanguageRecognised: 0.9,
  /** Everything the bot does with one message's text (intent, decision, language), on average. */
  msPerMessage: 1,
};

export interface EvalSet {
  topics: Record<Language, Record<string, string[]>>;
  /** Moves, and also "talk to a person" (a topic), "thanks" and off-topic messages (`none`). */
  moves: Record<Language, Record<string, string[]>>;
  languages: Array<{ text: string; language: Language | 'other' }>;
  /** What candidates really type, by kind (see `GROUPS`), per language. */
  groups: Record<Group, Record<Language, string[]>>;
  /** Junk and mixed-language lines, by the language the conversation is in: none may switch it. */
  junk: Record<Language, string[]>;
}

/** The kinds of message the evaluation groups, and the intent each one must be read as. */
export const GROUPS = {
  offTopic: 'topic:offTopic',
  greeting: 'move:greeting',
  missingId: 'topic:missingId',
  frustrated: 'topic:person',
  greetingProblem: 'topic:credentials',
  /** "I can't access my account": the login does not work. */
  cannotAccess: 'topic:credentials',
} as const;
export type Group = keyof typeof GROUPS;

export function readEvalSet(file = EVAL_FILE): EvalSet {
  return parse(readFileSync(file, 'utf8')) as EvalSet;
}

/** What the evaluation needs of a model: its ranking of intents and its guess of the language. */
export interface Understanding {
  rankIntents(text: string): ReadonlyArray<{ label: string }>;
  detectLanguage(text: string): { language: Language | 'other'; p: number; words: number };
}

export interface Answer {
  text: string;
  expected: string;
  got: string;
}

export interface Score {
  right: number;
  total: number;
  answers: Answer[];
}

export interface Evaluation {
  /** Top-1 intent on the topic messages, per language; labels are `topic:<node>`. */
  topics: Record<Language, Score>;
  moves: Record<Language, Score>;
  /** The language of messages of `TARGETS.languageMinWords` words or more. */
  languages: Score;
  groups: Record<Group, Record<Language, Score>>;
  /** The language each junk line leaves the conversation in; right when it stays in its language. */
  junk: Record<Language, Score>;
  /**
   * The messages in other languages (`other` in the languages set) long enough for the "I only speak …" reply, in a
   * conversation in each of the five: right when they get it without a switch.
   */
  otherLanguages: Score;
}

export function evaluate(model: Understanding, set: EvalSet): Evaluation {
  const best = (text: string) => model.rankIntents(text)[0]!.label;
  const topics = {} as Record<Language, Score>;
  const moves = {} as Record<Language, Score>;
  for (const language of LANGUAGES) {
    topics[language] = score(
      Object.entries(set.topics[language] ?? {}).flatMap(([topic, texts]) =>
        texts.map((text) => ({ text, expected: `topic:${topic}` })),
      ),
      best,
    );
    moves[language] = score(
      Object.entries(set.moves[language] ?? {}).flatMap(([name, texts]) =>
        texts.map((text) => ({ text, expected: intentOf(name) })),
      ),
      best,
    );
  }
  const long = set.languages.filter((entry) => wordsOf(fold(entry.text)).length >= TARGETS.languageMinWords);
  const languages = score(
    long.map((entry) => ({ text: entry.text, expected: entry.language })),
    (text) => model.detectLanguage(text).language,
  );
  const groups = {} as Record<Group, Record<Language, Score>>;
  for (const group of Object.keys(GROUPS) as Group[]) {
    groups[group] = {} as Record<Language, Score>;
    for (const language of LANGUAGES)
      groups[group][language] = score(
        (set.groups[group]?.[language] ?? []).map((text) => ({ text, expected: GROUPS[group] })),
        best,
      );
  }
  const junk = {} as Record<Language, Score>;
  for (const language of LANGUAGES)
    junk[language] = score(
      (set.junk[language] ?? []).map((text) => ({ text, expected: language })),
      (text) => languageAfter(model, text, language),
    );
  const foreign = set.languages.filter(
    (entry) => entry.language === 'other' && wordCount(entry.text) >= THRESHOLDS.otherWords,
  );
  const otherLanguages = score(
    LANGUAGES.flatMap((language) =>
      foreign.map((entry) => ({ text: entry.text, expected: `${language} (unsupported)`, language })),
    ),
    (text, { language }) => languageAfter(model, text, language),
  );
  return { topics, moves, languages, groups, junk, otherLanguages };
}

/**
 * The language a conversation in `language` is in after this message ("switched to …" when it moves); a line the
 * bot would answer with the list of languages it speaks, without switching, is marked "(unsupported)".
 */
function languageAfter(model: Understanding, text: string, language: Language): string {
  const resolved = resolveLanguage({ preferred: language, written: model.detectLanguage(text) });
  if (resolved.language !== language) return `switched to ${resolved.language}`;
  return resolved.unsupported ? `${language} (unsupported)` : language;
}

/**
 * The content's topics (those it gives examples of) that have no held-out message in a language: under
 * `topics:`, under `moves:` by the topic's name ("person"), or in a group read as that topic.
 */
export function unevaluatedTopics(
  set: EvalSet,
  contentTopics: Record<Language, readonly string[]>,
): Array<{ topic: string; languages: Language[] }> {
  const byTopic = new Map<string, Language[]>();
  for (const language of LANGUAGES)
    for (const topic of contentTopics[language]) {
      const groups = (Object.keys(GROUPS) as Group[]).filter((group) => GROUPS[group] === `topic:${topic}`);
      const held =
        (set.topics[language]?.[topic]?.length ?? 0) +
        (set.moves[language]?.[topic]?.length ?? 0) +
        groups.reduce((sum, group) => sum + (set.groups[group]?.[language]?.length ?? 0), 0);
      if (held === 0) byTopic.set(topic, [...(byTopic.get(topic) ?? []), language]);
    }
  return [...byTopic.entries()].map(([topic, languages]) => ({ topic, languages }));
}

export function accuracy(score: Pick<Score, 'right' | 'total'>): number {
  return score.total === 0 ? 0 : score.right / score.total;
}

/** All languages' topic messages together. */
export function overallTopics(evaluation: Evaluation): Score {
  const answers = LANGUAGES.flatMap((language) => evaluation.topics[language].answers);
  return { right: answers.filter((answer) => answer.got === answer.expected).length, total: answers.length, answers };
}

/** The evaluation's name of an expected intent: a move, `none`, or else a topic ("person", "thanks"). */
function intentOf(name: string): string {
  if ((MOVES as readonly string[]).includes(name)) return `move:${name}`;
  return name === 'none' ? 'none' : `topic:${name}`;
}

function score<Case extends { text: string; expected: string }>(
  cases: Case[],
  answer: (text: string, each: Case) => string,
): Score {
  const answers = cases.map((each) => ({ text: each.text, expected: each.expected, got: answer(each.text, each) }));
  return { right: answers.filter((each) => each.got === each.expected).length, total: answers.length, answers };
}
