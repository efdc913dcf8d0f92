import { LANGUAGES, type Language } from '../dialog/languages';
import type { LanguageExamples } from '../content/examples';
import { MOVES, type Move } from '../dialog/moves';
import type { FeatureSpec } from './features';
import { NaiveBayesClassifier, type NaiveBayesData } from './naiveBayes';
import { SoftmaxClassifier, type Labelled, type Ranked, type SoftmaxData } from './softmax';
import { fold, wordsOf } from '../dialog/text';

export interface TrainingData {
  examples: Record<Language, LanguageExamples>;
  /** Messages in languages the bot does not speak. */
  unsupported: string[];
  /** More text in each language (the bot's own texts) to learn what each language looks like. */
  languageTexts: Record<Language, string[]>;
  /** Every way of naming each language, in any of the five ("Deutsch", "German", "alemán", …). */
  languageNames: Record<Language, string[]>;
}

/** What a message is about: `topic:<node>`, `move:<move>` or `none`. */
export type Intent = `topic:${string}` | `move:${Move}` | 'none';

export interface LanguageGuess {
  /** A supported language, `other` for one the bot does not speak. */
  language: Language | 'other';
  p: number;
  /** How many words the guess rests on; short messages are never trusted to switch languages. */
  words: number;
  /** The message's words each language's examples and texts use: the evidence a switch of language needs. */
  knownIn?: Record<Language, string[]>;
}

const INTENT_FEATURES: FeatureSpec = { words: true, bigrams: true, charLengths: [3, 5] };
const LANGUAGE_FEATURES: FeatureSpec = { words: true, bigrams: false, charLengths: [1, 2, 3, 4] };

/** Scripts the five languages are not written in: a message in one of these is certainly another language. */
const OTHER_SCRIPTS = new RegExp(
  `[${[
    'Cyrillic',
    'Greek',
    'Arabic',
    'Hebrew',
    'Han',
    'Hiragana',
    'Katakana',
    'Hangul',
    'Thai',
    'Devanagari',
    'Bengali',
    'Tamil',
    'Georgian',
    'Armenian',
    'Ethiopic',
  ]
    .map((script) => `\\p{Script=${script}}`)
    .join('')}]`,
  'u',
);

/** A trained model as plain data (JSON). */
export interface LanguageModelData {
  intents: SoftmaxData;
  languages: NaiveBayesData;
  names: Array<[string, Language]>;
  /** The words of each language seen in the examples. */
  vocabulary: Record<Language, string[]>;
}

/**
 * The trained model of free text: which topic or move a message is, and which language it is in.
 * Trained from the content's examples when the content loads (a few hundred milliseconds), entirely offline.
 */
export class LanguageModel {
  private constructor(
    private readonly intents: SoftmaxClassifier,
    private readonly languages: NaiveBayesClassifier,
    private readonly names: Map<string, Language>,
    private readonly vocabulary: Record<Language, ReadonlySet<string>>,
  ) {}

  static train(data: TrainingData): LanguageModel {
    const intentExamples: Labelled[] = [];
    const languageExamples: Labelled[] = [];
    for (const language of LANGUAGES) {
      const { topics, moves, none } = data.examples[language];
      const add = (texts: readonly string[], label: Intent) => {
        for (const text of texts) {
          intentExamples.push({ text, label });
          languageExamples.push({ text, label: language });
        }
      };
      for (const [node, texts] of Object.entries(topics)) add(texts, `topic:${node}`);
      for (const move of MOVES) add(moves[move] ?? [], `move:${move}`);
      add(none, 'none');
      for (const text of data.languageTexts[language]) languageExamples.push({ text, label: language });
    }
    for (const text of data.unsupported) languageExamples.push({ text, label: 'other' });

    const vocabulary = {} as Record<Language, Set<string>>;
    for (const language of LANGUAGES) vocabulary[language] = new Set();
    for (const { text, label } of languageExamples)
      if (label !== 'other') for (const word of lettered(text)) vocabulary[label as Language].add(word);
    const names = new Map<string, Language>();
    for (const language of LANGUAGES) for (const name of data.languageNames[language]) names.set(fold(name), language);
    return new LanguageModel(
      SoftmaxClassifier.train(intentExamples, INTENT_FEATURES, { epochs: 15 }),
      NaiveBayesClassifier.train(languageExamples, LANGUAGE_FEATURES),
      names,
      vocabulary,
    );
  }

  /** The trained model as plain data, to keep in a model file and load without training. */
  toData(): LanguageModelData {
    const vocabulary = {} as Record<Language, string[]>;
    for (const language of LANGUAGES) vocabulary[language] = [...this.vocabulary[language]];
    return { intents: this.intents.toData(), languages: this.languages.toData(), names: [...this.names], vocabulary };
  }

  static fromData(data: LanguageModelData): LanguageModel {
    const vocabulary = {} as Record<Language, ReadonlySet<string>>;
    for (const language of LANGUAGES) vocabulary[language] = new Set(data.vocabulary?.[language] ?? []);
    return new LanguageModel(
      SoftmaxClassifier.fromData(data.intents),
      NaiveBayesClassifier.fromData(data.languages),
      new Map(data.names),
      vocabulary,
    );
  }

  /** Every intent with its probability, most likely first. */
  rankIntents(text: string): Array<Ranked & { label: Intent }> {
    return this.intents.rank(text) as Array<Ranked & { label: Intent }>;
  }

  /** How much of the message is made of things seen in the examples (0–1). */
  familiarity(text: string): number {
    return this.intents.known(text);
  }

  /** The language a message is written in, with the model's confidence. */
  detectLanguage(text: string): LanguageGuess {
    const distinct = [...new Set(lettered(text))];
    const words = lettered(text).length;
    const knownIn = {} as Record<Language, string[]>;
    for (const language of LANGUAGES)
      knownIn[language] = distinct.filter((word) => this.vocabulary[language].has(word));
    if (OTHER_SCRIPTS.test(text)) return { language: 'other', p: 1, words, knownIn };
    const [best] = this.languages.rank(text);
    return { language: best!.label as Language | 'other', p: best!.p, words, knownIn };
  }

  /** The languages a message names ("auf Englisch bitte" → en), in the order they appear. */
  namedLanguages(text: string): Language[] {
    const found: Language[] = [];
    for (const word of wordsOf(fold(text))) {
      const language = this.names.get(word) ?? (word.length >= 6 ? this.byPrefix(word) : undefined);
      if (language && !found.includes(language)) found.push(language);
    }
    return found;
  }

  /** Inflected names: "englischen", "inglesa", "italiana". */
  private byPrefix(word: string): Language | undefined {
    for (const [name, language] of this.names)
      if (name.length >= 5 && word.startsWith(name.slice(0, -1))) return language;
    return undefined;
  }
}

/** The words of a text that have letters in them ("84" is not a word of any language). */
function lettered(text: string): string[] {
  return wordsOf(fold(text)).filter((word) => /\p{L}/u.test(word));
}
