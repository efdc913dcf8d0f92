import type { i18n } from 'i18next';
import { LANGUAGES, type Language } from '../dialog/languages';
import { COMMANDS, type Command } from '../dialog/systemKeys';
import type { MissReason, StateMeta } from '../machine/types';
import type { Move } from '../dialog/moves';
import { countWords, fold, withoutScriptLinks, wordsOf } from '../dialog/text';
import type { Intent, LanguageGuess, LanguageModel } from '../nlu/model';

/** The longest message read as an answer; anything longer is politely refused. */
export const MAX_TEXT_LENGTH = 2000;

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
  /** …and this many of its words known in that language, of which `switchOwnWords` unknown in the current one. */
  switchKnown: 3,
  switchOwnWords: 2,
  /** With no locale from the channel, the first message's language is used when this sure. */
  firstP: 0.6,
  /** A message this long and this surely in another language gets the list of languages the bot speaks. */
  otherWords: 3,
  otherP: 0.7,
  /** …and this many of its words only other languages use (see `LanguageGuess.foreign`). */
  otherOwnWords: 1,
} as const;

/** How a message was read, for the support leads' insights: a button, a command, the model, or not at all. */
export type Heard = 'button' | 'command' | 'model' | 'clarified' | 'notUnderstood' | 'answer';

/** How `understood` came about: a typed button label counts as the button, a typed command word as a command. */
export function heardOf(message: UserMessage, understood: Understood): Heard {
  if (message.value !== undefined) return 'button';
  switch (understood.type) {
    case 'ANSWER':
      return 'answer';
    case 'CLARIFY':
      return 'clarified';
    case 'UNKNOWN':
      return understood.reason === 'staleButton' ? 'button' : 'notUnderstood';
    case 'CHOOSE':
    case 'GOTO':
      return understood.via ? 'model' : 'button';
    default:
      return understood.via ? 'model' : 'command';
  }
}

/** What a user's message means in the current state. */
export type Understood = (
  | { type: 'CHOOSE'; choice: string }
  | { type: 'ANSWER'; text: string }
  | { type: 'BACK' | 'MENU' | 'CANCEL' | 'RESTART' | 'HELP' | 'REPEAT' | 'GREET' | 'DECLINE' }
  | { type: 'UNKNOWN'; reason: MissReason }
  | { type: 'LANGUAGE'; language: Language }
  | { type: 'GOTO'; node: string }
  /** Not sure between these topics: ask. */
  | { type: 'CLARIFY'; nodes: string[] }
) & {
  /** Set when the free-text model decided: its intent and probability, for the trace. */
  via?: { intent: string; p: number };
};

export interface UnderstandingOptions {
  i18n: i18n;
  /** The model trained from the content's examples. */
  model: LanguageModel;
  /** Nodes a typed topic or a "did you mean" button may lead to. */
  nodes: ReadonlySet<string>;
  /** The text key naming each such node on a button. */
  titles: ReadonlyMap<string, string>;
  /** Whether a text is a valid answer to the question about `slot`; answers always win over topics. */
  isAnswer: (slot: string, text: string) => boolean;
  /** Whether a text has the shape of an answer to `slot` (digits for a number): checked as one, right or wrong. */
  isShapedAnswer: (slot: string, text: string) => boolean;
  /** Questions whose answer is free text (a name), where a topic must be very sure to interrupt. */
  freeTextSlots: ReadonlySet<string>;
}

export interface UserMessage {
  text?: string;
  /** A card button's payload, when the channel sends one. */
  value?: unknown;
  hasAttachments?: boolean;
}

const COMMAND_EVENTS: Record<Command, 'BACK' | 'MENU' | 'RESTART' | 'HELP' | 'REPEAT'> = {
  back: 'BACK',
  menu: 'MENU',
  restart: 'RESTART',
  help: 'HELP',
  repeat: 'REPEAT',
};

const MOVE_EVENTS: Record<Exclude<Move, 'yes' | 'no' | 'language'>, Understood['type']> = {
  greeting: 'GREET',
  help: 'HELP',
  menu: 'MENU',
  back: 'BACK',
};

/**
 * Reads messages: first exactly, the way the bot's texts invite people to write them (a button's label
 * or number, a command word, a language's name, in any of the five languages); then an answer to the
 * open question; then, with the free-text model, a topic or a move in the user's own words — asking
 * "did you mean" when unsure, and saying so when it did not understand.
 */
export class Understanding {
  private readonly commands = new Map<string, Command>();
  private readonly languageNames = new Map<string, Language>();
  /** Per language: each button text's key → the text folded. */
  private readonly labels = new Map<Language, Map<string, string>>();
  /** Per language: a topic's folded button title → the topic (the first with that title). */
  private readonly titles = new Map<Language, Map<string, string>>();
  private readonly i18n: i18n;

  constructor(private readonly options: UnderstandingOptions) {
    const { i18n } = options;
    this.i18n = i18n;
    for (const language of LANGUAGES) {
      const t = i18n.getFixedT(language, 'common');
      for (const command of COMMANDS) {
        for (const phrase of t(`commands.${command}`).split('|')) {
          const folded = fold(phrase);
          if (folded) this.commands.set(folded, command);
        }
      }
      this.languageNames.set(fold(t('language.name')), language);
      for (const other of LANGUAGES) this.languageNames.set(fold(t(`languages.${other}`)), other);
    }
  }

  /** A button's text in a language, folded for matching what people type or click; cached per language and key. */
  private foldedLabel(language: Language, key: string): string {
    let labels = this.labels.get(language);
    if (!labels) this.labels.set(language, (labels = new Map()));
    let folded = labels.get(key);
    if (folded === undefined) {
      folded = fold(this.i18n.getFixedT(language)(key));
      labels.set(key, folded);
    }
    return folded;
  }

  /** The node whose button title (in `language`) the folded text is, if any. */
  private titled(language: Language, folded: string): string | undefined {
    let titles = this.titles.get(language);
    if (!titles) {
      titles = new Map();
      for (const [node, label] of this.options.titles) {
        const title = this.foldedLabel(language, label);
        if (this.options.nodes.has(node) && !titles.has(title)) titles.set(title, node);
      }
      this.titles.set(language, titles);
    }
    return titles.get(folded);
  }

  /** The language a message is written in, as the model guesses it. */
  detectLanguage(text: string): LanguageGuess {
    return this.options.model.detectLanguage(withoutScriptLinks(text));
  }

  /** A command word ("back", "menú", "zurück") in any of the five languages, if the message is just that. */
  commandIn(text: string): Command | undefined {
    return this.commands.get(fold(text));
  }

  /** A language asked for by name ("Deutsch", "spanish", "Français"), if the message is just that. */
  languageRequest(text: string | undefined): Language | undefined {
    if (!text || text.length > 60) return undefined;
    return this.languageNames.get(fold(withoutScriptLinks(text)));
  }

  /** `offered`: the nodes the previous reply offered beyond the state's own buttons ("did you mean"). */
  understand(
    message: UserMessage,
    state: { id: string; meta: StateMeta },
    language: Language,
    offered: readonly string[] = [],
  ): Understood {
    const fromButton = this.fromButtonValue(message.value, state);
    if (fromButton) return fromButton;

    const typed = (message.text ?? '').trim();
    if (!typed) return miss(message.hasAttachments ? 'attachment' : 'empty');
    if (typed.length > MAX_TEXT_LENGTH) return miss('tooLong');
    const { meta } = state;
    const asking = meta.expecting !== null && meta.expecting !== 'confirm';
    // A link with a script target says nothing the bot can act on: not a language, not a topic (an answer is
    // still checked, and shown back, as typed).
    const text = withoutScriptLinks(typed);
    if (!text) return asking ? { type: 'ANSWER', text: typed } : miss('notUnderstood');
    const folded = fold(text);

    const extra = offered.filter((node) => this.options.nodes.has(node));
    if (!asking && /^\d{1,2}$/.test(folded)) {
      const index = Number(folded) - 1;
      if (extra[index]) return { type: 'GOTO', node: extra[index] };
      const choice = meta.choices[index];
      if (choice) return choose(choice);
    }
    for (const candidate of [language, ...LANGUAGES.filter((other) => other !== language)]) {
      if (!folded) break;
      const node = extra.find(
        (option) => this.foldedLabel(candidate, this.options.titles.get(option) ?? '') === folded,
      );
      if (node) return { type: 'GOTO', node };
      const choice = meta.choices.find((option) => this.foldedLabel(candidate, option.label) === folded);
      if (choice) return choose(choice);
      // A topic's button title, typed or sent by a button of an earlier message (a reminder's menu): go there.
      const titled = asking ? undefined : this.titled(candidate, folded);
      if (titled) return { type: 'GOTO', node: titled };
    }
    const requested = this.languageNames.get(folded);
    if (requested) return { type: 'LANGUAGE', language: requested };
    const command = this.commands.get(folded);
    if (command) return { type: COMMAND_EVENTS[command] };
    return this.inOwnWords(text, meta, language, asking ? typed : undefined);
  }

  /** A message in the user's own words, read by the free-text model; `answer`: as typed, when a question waits. */
  private inOwnWords(text: string, meta: StateMeta, language: Language, answer: string | undefined): Understood {
    const { model } = this.options;
    const interpretation = interpret(model, text);
    const via = {
      intent:
        interpretation.kind === 'topic'
          ? `topic:${interpretation.node}`
          : interpretation.kind === 'move'
            ? `move:${interpretation.move}`
            : interpretation.kind,
      p: round(interpretation.p),
    };

    if (answer !== undefined) {
      const slot = meta.expecting!;
      if (this.options.isShapedAnswer(slot, answer)) return { type: 'ANSWER', text: answer };
      const valid = this.options.isAnswer(slot, answer);
      const interrupts =
        (interpretation.kind === 'topic' || (interpretation.kind === 'move' && interpretation.move in MOVE_EVENTS)) &&
        (!valid ||
          (this.options.freeTextSlots.has(slot) && interpretation.p >= THRESHOLDS.interrupt && wordCount(text) >= 3));
      if (!interrupts) return { type: 'ANSWER', text: answer };
    }

    switch (interpretation.kind) {
      case 'topic':
        return this.options.nodes.has(interpretation.node)
          ? { type: 'GOTO', node: interpretation.node, via }
          : { ...miss('notUnderstood'), via };
      case 'clarify': {
        const nodes = interpretation.nodes.filter((node) => this.options.nodes.has(node));
        return nodes.length > 0 ? { type: 'CLARIFY', nodes, via } : { ...miss('notUnderstood'), via };
      }
      case 'none':
        return { ...miss('notUnderstood'), via };
      case 'move':
        break;
    }
    const { move } = interpretation;
    if (move === 'yes' || move === 'no') {
      const choice = meta.choices.find((option) => option.id === meta[move]);
      if (choice) return { ...choose(choice), via };
      // "No" to an offer ("I can send that email for you now"): fine, the options stay.
      return move === 'no' && meta.yes ? { type: 'DECLINE', via } : { type: 'REPEAT', via };
    }
    if (move === 'language') {
      const named = model.namedLanguages(text);
      const written = model.detectLanguage(text);
      const target =
        named.find((candidate) => candidate !== language) ??
        (written.language !== 'other' && written.language !== language && written.p >= THRESHOLDS.firstP
          ? written.language
          : named[0]);
      return target ? { type: 'LANGUAGE', language: target, via } : { type: 'HELP', via };
    }
    return { type: MOVE_EVENTS[move], via } as Understood;
  }

  private fromButtonValue(value: unknown, state: { id: string; meta: StateMeta }): Understood | undefined {
    if (!value || typeof value !== 'object') return undefined;
    const payload = value as { choice?: unknown; state?: unknown; language?: unknown; goto?: unknown };
    if (typeof payload.goto === 'string') {
      return this.options.nodes.has(payload.goto) ? { type: 'GOTO', node: payload.goto } : miss('staleButton');
    }
    if (typeof payload.language === 'string') {
      const language = LANGUAGES.find((candidate) => candidate === payload.language);
      return language ? { type: 'LANGUAGE', language } : miss('staleButton');
    }
    if (typeof payload.choice !== 'string') return undefined;
    const choice =
      payload.state === state.id ? state.meta.choices.find((option) => option.id === payload.choice) : undefined;
    return choice ? choose(choice) : miss('staleButton');
  }
}

/** What the model makes of a message: act on it, ask "did you mean", or admit not understanding. */
export function interpret(model: LanguageModel, text: string): Interpretation {
  if (model.familiarity(text) < THRESHOLDS.familiar) return { kind: 'none', p: 0 };
  const ranked = withoutLeadingGreeting(model, text, model.rankIntents(text));
  const [best] = ranked;
  if (!best) return { kind: 'none', p: 0 };
  if (surely(ranked, best.label)) {
    if (best.label.startsWith('topic:')) return { kind: 'topic', node: best.label.slice('topic:'.length), p: best.p };
    if (best.label.startsWith('move:'))
      return { kind: 'move', move: best.label.slice('move:'.length) as Move, p: best.p };
    return { kind: 'none', p: best.p };
  }
  const topics = ranked
    .slice(0, 3)
    .filter((entry) => entry.label.startsWith('topic:') && entry.p >= THRESHOLDS.candidate);
  if (topics.length > 0 && topics[0]!.p >= THRESHOLDS.ask) {
    return { kind: 'clarify', nodes: topics.map((entry) => entry.label.slice('topic:'.length)), p: topics[0]!.p };
  }
  return { kind: 'none', p: best.p };
}

const GREETING: Intent = 'move:greeting';

/** Every intent with its probability, most likely first. */
type RankedIntents = ReturnType<LanguageModel['rankIntents']>;

/** The most words a greeting that opens a message has ("hi", "guten tag", "buenos días"). */
const GREETING_WORDS = 2;

/**
 * "Hi, I cannot log in" is the problem, not a greeting: when a message opens with a greeting (its first word or two,
 * read alone, are surely one) and is, on the whole, about something else, the greeting is set aside and the other
 * intents are weighed without it (their probabilities scaled to add up to 1 again): the part of the message that
 * made a greeting likely is accounted for by its opening and takes no confidence away from what follows.
 */
function withoutLeadingGreeting(model: LanguageModel, text: string, ranked: RankedIntents): RankedIntents {
  if (!ranked[0] || ranked[0].label === GREETING) return ranked;
  const words = wordsOf(fold(text));
  const longest = Math.min(GREETING_WORDS, words.length - 1);
  const opens = Array.from({ length: Math.max(longest, 0) }, (_, index) => words.slice(0, index + 1).join(' '));
  if (!opens.some((opening) => surely(model.rankIntents(opening), GREETING))) return ranked;
  const rest = ranked.filter((entry) => entry.label !== GREETING);
  const total = rest.reduce((sum, entry) => sum + entry.p, 0);
  return total > 0 ? rest.map((entry) => ({ ...entry, p: entry.p / total })) : ranked;
}

/** Whether the model is sure enough of `label` to act on it. */
function surely(ranked: RankedIntents, label: Intent): boolean {
  const [best, second] = ranked;
  return best?.label === label && best.p >= THRESHOLDS.act && best.p - (second?.p ?? 0) >= THRESHOLDS.margin;
}

/** How many words a message has (a guess on two words is never trusted to switch language). */
export function wordCount(text: string): number {
  return countWords(wordsOf(fold(text)));
}

function round(p: number): number {
  return Math.round(p * 1000) / 1000;
}

function miss(reason: MissReason): Understood {
  return { type: 'UNKNOWN', reason };
}

function choose(choice: StateMeta['choices'][number]): Understood {
  return choice.event ? { type: choice.event } : { type: 'CHOOSE', choice: choice.id };
}
