import type { Language } from '../dialog/languages';
import type { Move } from '../dialog/moves';
import type { LanguageGuess, LanguageUnderstanding } from '../nlu/model';
import { fold, wordsOf } from '../dialog/text';

/** What a free-text message is taken to mean, and how sure the bot is. */
export type Interpretation =
  | { kind: 'topic'; node: string; p: number }
  | { kind: 'move'; move: Move; p: number }
  /** Close between topics, or a weak match: ask which one. */
  | { kind: 'clarify'; nodes: string[]; p: number }
  | { kind: 'none'; p: number };

/**
 * Where the line is drawn between acting on a message, asking "did you mean", and admitting it was not
 * understood. Chosen by cross-validation on the examples, not on the held-out evaluation set.
 */
export const THRESHOLDS = {
  /** The best intent needs at least this probability to be acted on… */
  act: 0.5,
  /** …and this much more than the runner-up. */
  margin: 0.2,
  /** A topic this likely (or more) is offered in "did you mean". */
  candidate: 0.12,
  /** Below this, the best topic is too weak even to ask about. */
  ask: 0.25,
  /** Part of the message the model must recognise (letter sequences seen in examples) to trust it at all. */
  familiar: 0.35,
  /** Inside a question whose answer can be any text (a name), a topic must be this sure, in three words or more. */
  interrupt: 0.85,
  /** Language: switch only on messages of this many words or more, and this sure. */
  switchWords: 4,
  switchP: 0.9,
  /** With no locale from the channel, the first message's language is used when this sure. */
  firstP: 0.6,
  /** A message this long and this surely in another language gets the list of languages the bot speaks. */
  otherWords: 3,
  otherP: 0.7,
} as const;

export class Interpreter {
  constructor(private readonly nlu: LanguageUnderstanding) {}

  interpret(text: string): Interpretation {
    if (this.nlu.familiarity(text) < THRESHOLDS.familiar) return { kind: 'none', p: 0 };
    const ranked = this.nlu.rankIntents(text);
    const [best, second] = ranked;
    if (!best) return { kind: 'none', p: 0 };
    const sure = best.p >= THRESHOLDS.act && best.p - (second?.p ?? 0) >= THRESHOLDS.margin;
    if (sure) {
      if (best.label.startsWith('topic:')) return { kind: 'topic', node: best.label.slice('topic:'.length), p: best.p };
      if (best.label.startsWith('move:')) return { kind: 'move', move: best.label.slice('move:'.length) as Move, p: best.p };
      return { kind: 'none', p: best.p };
    }
    const topics = ranked.slice(0, 3).filter((entry) => entry.label.startsWith('topic:') && entry.p >= THRESHOLDS.candidate);
    if (topics.length > 0 && topics[0]!.p >= THRESHOLDS.ask) {
      return { kind: 'clarify', nodes: topics.map((entry) => entry.label.slice('topic:'.length)), p: topics[0]!.p };
    }
    return { kind: 'none', p: best.p };
  }

  detectLanguage(text: string): LanguageGuess {
    return this.nlu.detectLanguage(text);
  }

  namedLanguages(text: string): Language[] {
    return this.nlu.namedLanguages(text);
  }

  /** How many words a message has (a guess on two words is never trusted to switch language). */
  static words(text: string): number {
    return wordsOf(fold(text)).length;
  }
}
