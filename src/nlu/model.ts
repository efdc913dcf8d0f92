import { LANGUAGES, type Language } from '../dialog/languages';
import type { LanguageExamples } from '../content/examples';
import { MOVES, type Move } from '../dialog/moves';
import type { FeatureSpec } from './features';
import { NaiveBayesClassifier, type NaiveBayesData, type NaiveBayesParts } from './naiveBayes';
import { SoftmaxClassifier, type Labelled, type Ranked, type SoftmaxData, type SoftmaxParts } from './softmax';
import { countWords, fold, wordsOf } from '../dialog/text';

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
  /**
   * The message's words only other languages use, as typed: words of the messages in other languages that none of
   * the five uses, and words with a letter none of the five writes ("mogę", "não"). The evidence a message is in
   * another language needs; nonsense made of words of the five ("kindergarten pizza tapas") has none.
   */
  foreign?: string[];
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
  /** The words of each language seen in the examples and the texts. */
  vocabulary: Record<Language, string[]>;
  /** The words of the messages in other languages that none of the five uses. */
  otherWords?: string[];
  /** Every letter the five languages' examples and texts are written with. */
  letters?: string;
}

/** A trained model as its parts, the classifiers' numbers as typed arrays. */
export interface LanguageModelParts {
  intents: SoftmaxParts;
  languages: NaiveBayesParts;
  names: Array<[string, Language]>;
  vocabulary: Record<Language, string[]>;
  otherWords: string[];
  letters: string;
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
    private readonly otherWords: ReadonlySet<string>,
    private readonly letters: ReadonlySet<string>,
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
    const letters = new Set<string>();
    for (const { text, label } of languageExamples) {
      if (label === 'other') continue;
      for (const word of lettered(text)) vocabulary[label as Language].add(word);
      for (const letter of lettersOf(text)) letters.add(letter);
    }
    const ours = (word: string) => LANGUAGES.some((language) => vocabulary[language].has(word));
    const otherWords = new Set(data.unsupported.flatMap(lettered).filter((word) => !ours(word)));
    const names = new Map<string, Language>();
    for (const language of LANGUAGES) for (const name of data.languageNames[language]) names.set(fold(name), language);
    return new LanguageModel(
      SoftmaxClassifier.train(intentExamples, INTENT_FEATURES, { epochs: 15 }),
      NaiveBayesClassifier.train(languageExamples, LANGUAGE_FEATURES),
      names,
      vocabulary,
      otherWords,
      letters,
    );
  }

  /** The trained model as its parts, numbers as typed arrays: what the binary model file keeps (`modelFile.ts`). */
  toParts(): LanguageModelParts {
    return { ...this.plainParts(), intents: this.intents.toParts(), languages: this.languages.toParts() };
  }

  static fromParts(parts: LanguageModelParts): LanguageModel {
    return LanguageModel.of(
      SoftmaxClassifier.fromParts(parts.intents),
      NaiveBayesClassifier.fromParts(parts.languages),
      parts,
    );
  }

  /** The trained model as plain data (JSON). */
  toData(): LanguageModelData {
    return { ...this.plainParts(), intents: this.intents.toData(), languages: this.languages.toData() };
  }

  static fromData(data: LanguageModelData): LanguageModel {
    return LanguageModel.of(
      SoftmaxClassifier.fromData(data.intents),
      NaiveBayesClassifier.fromData(data.languages),
      data,
    );
  }

  private plainParts(): Omit<LanguageModelParts, 'intents' | 'languages'> {
    const vocabulary = {} as Record<Language, string[]>;
    for (const language of LANGUAGES) vocabulary[language] = [...this.vocabulary[language]];
    return {
      names: [...this.names],
      vocabulary,
      otherWords: [...this.otherWords],
      letters: [...this.letters].join(''),
    };
  }

  private static of(
    intents: SoftmaxClassifier,
    languages: NaiveBayesClassifier,
    data: Pick<LanguageModelData, 'names' | 'vocabulary' | 'otherWords' | 'letters'>,
  ): LanguageModel {
    const vocabulary = {} as Record<Language, ReadonlySet<string>>;
    for (const language of LANGUAGES) vocabulary[language] = new Set(data.vocabulary?.[language] ?? []);
    return new LanguageModel(
      intents,
      languages,
      new Map(data.names),
      vocabulary,
      new Set(data.otherWords ?? []),
      new Set(data.letters ?? ''),
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
    const words = countWords(lettered(text));
    const knownIn = {} as Record<Language, string[]>;
    for (const language of LANGUAGES)
      knownIn[language] = distinct.filter((word) => this.vocabulary[language].has(word));
    const foreign = this.foreignWords(text);
    if (OTHER_SCRIPTS.test(text)) return { language: 'other', p: 1, words, knownIn, foreign };
    const [best] = this.languages.rank(text);
    return { language: best!.label as Language | 'other', p: best!.p, words, knownIn, foreign };
  }

  /** The words of a message, as typed, that only other languages use (see `LanguageGuess.foreign`). */
  private foreignWords(text: string): string[] {
    const foreign: string[] = [];
    for (const typed of typedWords(text)) {
      const folded = lettered(typed);
      if (folded.some((word) => LANGUAGES.some((language) => this.vocabulary[language].has(word)))) continue;
      const theirs =
        folded.some((word) => this.otherWords.has(word)) ||
        lettersOf(typed).some((letter) => !this.letters.has(letter));
      if (theirs && !foreign.includes(typed)) foreign.push(typed);
    }
    return foreign;
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

/** The words of a text as typed (lower case, accents kept) that have letters in them. */
function typedWords(text: string): string[] {
  return text
    .normalize('NFC')
    .toLowerCase()
    .split(/[^\p{L}\p{M}\p{N}]+/u)
    .filter((word) => /\p{L}/u.test(word));
}

/** The letters of a text as typed, lower case, accents kept ("ß", "ñ", "ę"). */
function lettersOf(text: string): string[] {
  return [...text.normalize('NFC').toLowerCase()].filter((char) => /\p{L}/u.test(char));
}

/** The words of a text that have letters in them ("84" is not a word of any language). */
function lettered(text: string): string[] {
  return wordsOf(fold(text)).filter((word) => /\p{L}/u.test(word));
}
