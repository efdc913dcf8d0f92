import { DEFAULT_LANGUAGE, languageOf, type Language } from '../dialog/languages';
import type { LanguageGuess } from '../nlu/model';
import { THRESHOLDS } from './understand';

/** What is known, before a message is understood, about the language to answer it in. */
export interface LanguageSignals {
  /** The language the user chose earlier, if any. */
  preferred?: Language;
  /** The channel's locales for the user, most preferred first ("de-DE"); the first one the bot speaks counts. */
  locale?: string | readonly (string | undefined)[];
  /** The language the typed message is written in, as the model guesses it; absent for clicks and openings. */
  written?: LanguageGuess;
  /** The message answers an open question: an answer (a name, a number) never switches the language. */
  answering?: boolean;
}

export interface ResolvedLanguage {
  language: Language;
  /** Set when this settles the user's language: remember it for them. */
  chosen?: Language;
  /** The language the conversation was in before the message switched it. */
  switchedFrom?: Language;
  /** Long enough and surely enough in a language the bot does not speak to say so. */
  unsupported: boolean;
  /** The language was read from the message's text (worth telling in the trace). */
  fromText: boolean;
}

/**
 * The language of a reply: the user's choice, else the channel's, else the one the first message is written
 * in (English when unsure). A long, sure message in another of the five switches to it, except as an answer.
 */
export function resolveLanguage(signals: LanguageSignals): ResolvedLanguage {
  const written = signals.written && signals.written.words > 0 ? signals.written : undefined;
  const unsupported =
    written?.language === 'other' &&
    written.words >= THRESHOLDS.otherWords &&
    written.p >= THRESHOLDS.otherP &&
    !signals.answering &&
    inAnotherLanguage(written);
  const writtenIn = written && written.language !== 'other' ? written.language : undefined;
  const locales = typeof signals.locale === 'string' ? [signals.locale] : (signals.locale ?? []);
  const known = signals.preferred ?? locales.map(languageOf).find((language) => language !== undefined);
  if (!known) {
    const language = writtenIn && written!.p >= THRESHOLDS.firstP ? writtenIn : DEFAULT_LANGUAGE;
    const sure = language !== DEFAULT_LANGUAGE || writtenIn === DEFAULT_LANGUAGE;
    return { language, ...(sure ? { chosen: language } : {}), unsupported, fromText: Boolean(written) };
  }
  const switches =
    writtenIn !== undefined &&
    writtenIn !== known &&
    !signals.answering &&
    written!.words >= THRESHOLDS.switchWords &&
    written!.p >= THRESHOLDS.switchP &&
    clearlyIn(written!, writtenIn, known);
  if (switches) return { language: writtenIn, chosen: writtenIn, switchedFrom: known, unsupported, fromText: true };
  return { language: known, unsupported, fromText: false };
}

/** Several words known in `language`, some of them not words of the `current` one: not a stray word or two. */
function clearlyIn(written: LanguageGuess, language: Language, current: Language): boolean {
  if (!written.knownIn) return true;
  const ours = new Set(written.knownIn[current]);
  const theirs = written.knownIn[language];
  return (
    theirs.length >= THRESHOLDS.switchKnown &&
    theirs.filter((word) => !ours.has(word)).length >= THRESHOLDS.switchOwnWords
  );
}

/**
 * Positive evidence the message is in another language: some of its words only other languages use. Nonsense or
 * a mix made of words of the five ("kindergarten sauerkraut pizza tapas") has none.
 */
function inAnotherLanguage(written: LanguageGuess): boolean {
  return !written.foreign || written.foreign.length >= THRESHOLDS.otherOwnWords;
}
