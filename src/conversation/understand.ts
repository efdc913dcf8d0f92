import type { i18n } from 'i18next';
import { LANGUAGES, type Language } from '../dialog/languages';
import { COMMANDS, type Command } from '../dialog/systemKeys';
import type { MissReason, StateMeta } from '../machine/types';
import type { Move } from '../dialog/moves';
import { fold } from '../dialog/text';
import { Interpreter, THRESHOLDS } from './interpret';

export { fold };

/** The longest message read as an answer; anything longer is politely refused. */
export const MAX_TEXT_LENGTH = 2000;

/** What a user's message means in the current state. */
export type Understood = (
  | { type: 'CHOOSE'; choice: string }
  | { type: 'ANSWER'; text: string }
  | { type: 'BACK' | 'MENU' | 'CANCEL' | 'RESTART' | 'HELP' | 'REPEAT' | 'GREET' }
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
  interpreter: Interpreter;
  /** Nodes a typed topic or a "did you mean" button may lead to. */
  nodes: ReadonlySet<string>;
  /** The text key naming each such node on a button. */
  titles: ReadonlyMap<string, string>;
  /** Whether a text is a valid answer to the question about `slot`; answers always win over topics. */
  isAnswer: (slot: string, text: string) => boolean;
  /** Questions whose answer is free text (a name), where a topic must be very sure to interrupt. */
  freeTextSlots: ReadonlySet<string>;
}

export interface UserMessage {
  text?: string;
  /** A card button's payload, when the channel sends one. */
  value?: unknown;
  hasAttachments?: boolean;
}

const COMMAND_EVENTS: Record<Command, Understood['type']> = {
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
  private readonly commands = new Map<string, Understood['type']>();
  private readonly languageNames = new Map<string, Language>();
  private readonly labels = new Map<string, string>();
  private readonly i18n: i18n;

  constructor(private readonly options: UnderstandingOptions) {
    const { i18n } = options;
    this.i18n = i18n;
    for (const language of LANGUAGES) {
      const t = i18n.getFixedT(language, 'common');
      for (const command of COMMANDS) {
        for (const phrase of t(`commands.${command}`).split('|')) {
          const folded = fold(phrase);
          if (folded) this.commands.set(folded, COMMAND_EVENTS[command]);
        }
      }
      this.languageNames.set(fold(t('language.name')), language);
      for (const other of LANGUAGES) this.languageNames.set(fold(t(`languages.${other}`)), other);
    }
  }

  /** A button's text in a language, folded for matching what people type or click; cached per language and key. */
  private foldedLabel(language: Language, key: string): string {
    const cacheKey = `${language}|${key}`;
    let folded = this.labels.get(cacheKey);
    if (folded === undefined) {
      folded = fold(this.i18n.getFixedT(language)(key));
      this.labels.set(cacheKey, folded);
    }
    return folded;
  }

  /** A language asked for by name ("Deutsch", "spanish", "Français"), if the message is just that. */
  languageRequest(text: string | undefined): Language | undefined {
    if (!text || text.length > 60) return undefined;
    return this.languageNames.get(fold(text));
  }

  /** `offered`: the nodes the previous reply offered beyond the state's own buttons ("did you mean"). */
  understand(message: UserMessage, state: { id: string; meta: StateMeta }, language: Language, offered: readonly string[] = []): Understood {
    const fromButton = this.fromButtonValue(message.value, state);
    if (fromButton) return fromButton;

    const text = (message.text ?? '').trim();
    if (!text) return miss(message.hasAttachments ? 'attachment' : 'empty');
    if (text.length > MAX_TEXT_LENGTH) return miss('tooLong');

    const folded = fold(text);
    const { meta } = state;
    const asking = meta.expecting !== null && meta.expecting !== 'confirm';

    const extra = offered.filter((node) => this.options.nodes.has(node));
    if (!asking && /^\d{1,2}$/.test(folded)) {
      const index = Number(folded) - 1;
      if (extra[index]) return { type: 'GOTO', node: extra[index] };
      const choice = meta.choices[index];
      if (choice) return choose(choice);
    }
    for (const candidate of [language, ...LANGUAGES.filter((other) => other !== language)]) {
      if (!folded) break;
      const node = extra.find((option) => this.foldedLabel(candidate, this.options.titles.get(option) ?? '') === folded);
      if (node) return { type: 'GOTO', node };
      const choice = meta.choices.find((option) => this.foldedLabel(candidate, option.label) === folded);
      if (choice) return choose(choice);
    }
    const requested = this.languageNames.get(folded);
    if (requested) return { type: 'LANGUAGE', language: requested };
    const command = this.commands.get(folded);
    if (command) return { type: command } as Understood;
    return this.inOwnWords(text, meta, language, asking);
  }

  /** A message in the user's own words, read by the free-text model. */
  private inOwnWords(text: string, meta: StateMeta, language: Language, asking: boolean): Understood {
    const { interpreter } = this.options;
    const interpretation = interpreter.interpret(text);
    const via = { intent: interpretation.kind === 'topic' ? `topic:${interpretation.node}` : interpretation.kind === 'move' ? `move:${interpretation.move}` : interpretation.kind, p: round(interpretation.p) };

    if (asking) {
      const slot = meta.expecting!;
      const valid = this.options.isAnswer(slot, text);
      const interrupts =
        (interpretation.kind === 'topic' || (interpretation.kind === 'move' && interpretation.move in MOVE_EVENTS)) &&
        (!valid || (this.options.freeTextSlots.has(slot) && interpretation.p >= THRESHOLDS.interrupt && Interpreter.words(text) >= 3));
      if (!interrupts) return { type: 'ANSWER', text };
    }

    switch (interpretation.kind) {
      case 'topic':
        return this.options.nodes.has(interpretation.node) ? { type: 'GOTO', node: interpretation.node, via } : { ...miss('notUnderstood'), via };
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
      return choice ? { ...choose(choice), via } : { type: 'REPEAT', via };
    }
    if (move === 'language') {
      const named = interpreter.namedLanguages(text);
      const written = interpreter.detectLanguage(text);
      const target =
        named.find((candidate) => candidate !== language) ??
        (written.language !== 'other' && written.language !== language && written.p >= THRESHOLDS.firstP ? written.language : named[0]);
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
    const choice = payload.state === state.id ? state.meta.choices.find((option) => option.id === payload.choice) : undefined;
    return choice ? choose(choice) : miss('staleButton');
  }
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
