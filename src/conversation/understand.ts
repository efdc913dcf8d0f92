import type { i18n } from 'i18next';
import { LANGUAGES, type Language } from '../content/languages';
import { COMMANDS, type Command } from '../content/systemKeys';
import type { MissReason, StateMeta } from '../machine/types';

/** The longest message read as an answer; anything longer is politely refused. */
export const MAX_TEXT_LENGTH = 2000;

/** What a user's message means in the current state. */
export type Understood =
  | { type: 'CHOOSE'; choice: string }
  | { type: 'ANSWER'; text: string }
  | { type: 'BACK' | 'MENU' | 'CANCEL' | 'RESTART' | 'HELP' | 'REPEAT' }
  | { type: 'UNKNOWN'; reason: MissReason }
  | { type: 'LANGUAGE'; language: Language };

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

/** Lower case, no accents, no punctuation or emoji, single spaces. */
export function fold(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/**
 * Reads messages the way the bot's texts invite people to write them: a button's label or number,
 * a command word (back, menu, start over, help, options) or a language's name, in any of the five
 * languages; anything else is an answer when a question is open, or not understood.
 */
export class Understanding {
  private readonly commands = new Map<string, Understood['type']>();
  private readonly languageNames = new Map<string, Language>();
  private readonly labels = new Map<string, string>();

  constructor(private readonly i18n: i18n) {
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

  understand(message: UserMessage, state: { id: string; meta: StateMeta }, language: Language): Understood {
    const fromButton = this.fromButtonValue(message.value, state);
    if (fromButton) return fromButton;

    const text = (message.text ?? '').trim();
    if (!text) return miss(message.hasAttachments ? 'attachment' : 'empty');
    if (text.length > MAX_TEXT_LENGTH) return miss('tooLong');

    const folded = fold(text);
    const { meta } = state;
    const asking = meta.expecting !== null && meta.expecting !== 'confirm';

    if (!asking && /^\d{1,2}$/.test(folded)) {
      const choice = meta.choices[Number(folded) - 1];
      if (choice) return choose(choice);
    }
    for (const candidate of [language, ...LANGUAGES.filter((other) => other !== language)]) {
      const choice = meta.choices.find((option) => this.foldedLabel(candidate, option.label) === folded);
      if (choice && folded) return choose(choice);
    }
    const requested = this.languageNames.get(folded);
    if (requested) return { type: 'LANGUAGE', language: requested };
    const command = this.commands.get(folded);
    if (command) return { type: command } as Understood;
    if (asking) return { type: 'ANSWER', text };
    return miss('notUnderstood');
  }

  private fromButtonValue(value: unknown, state: { id: string; meta: StateMeta }): Understood | undefined {
    if (!value || typeof value !== 'object') return undefined;
    const payload = value as { choice?: unknown; state?: unknown; language?: unknown };
    if (typeof payload.language === 'string') {
      const language = LANGUAGES.find((candidate) => candidate === payload.language);
      return language ? { type: 'LANGUAGE', language } : miss('staleButton');
    }
    if (typeof payload.choice !== 'string') return undefined;
    const choice = payload.state === state.id ? state.meta.choices.find((option) => option.id === payload.choice) : undefined;
    return choice ? choose(choice) : miss('staleButton');
  }
}

function miss(reason: MissReason): Understood {
  return { type: 'UNKNOWN', reason };
}

function choose(choice: StateMeta['choices'][number]): Understood {
  return choice.event ? { type: choice.event } : { type: 'CHOOSE', choice: choice.id };
}
