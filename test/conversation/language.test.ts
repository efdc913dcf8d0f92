import { resolveLanguage } from '../../src/conversation/language';
import { THRESHOLDS } from '../../src/conversation/understand';
import { DEFAULT_LANGUAGE } from '../../src/dialog/languages';
import type { LanguageGuess } from '../../src/nlu/model';

/** A message the model is sure is in this language, long enough to switch to it. */
const sure = (language: LanguageGuess['language']) => ({ language, p: 0.99, words: THRESHOLDS.switchWords + 2 });

describe('the language of a reply', () => {
  it("keeps the user's saved choice over the channel's locale", () => {
    const resolved = resolveLanguage({ preferred: 'it', locale: 'de-DE' });
    expect(resolved).toEqual({ language: 'it', unsupported: false, fromText: false });
  });

  it("takes the channel's locale when the user has not chosen, and the first one the bot speaks", () => {
    expect(resolveLanguage({ locale: 'fr-CA' }).language).toBe('fr');
    expect(resolveLanguage({ locale: [undefined, 'pt-BR', 'es-MX', 'de'] }).language).toBe('es');
    expect(resolveLanguage({ locale: 'de-DE' }).chosen).toBeUndefined();
  });

  it('with nothing known, answers in the language the first message is written in and remembers it', () => {
    expect(resolveLanguage({ written: { language: 'de', p: THRESHOLDS.firstP, words: 2 } })).toEqual({
      language: 'de',
      chosen: 'de',
      unsupported: false,
      fromText: true,
    });
  });

  it('with nothing known and an unsure guess, answers in English without taking it as a choice', () => {
    const unsure = resolveLanguage({ written: { language: 'de', p: THRESHOLDS.firstP - 0.01, words: 2 } });
    expect(unsure).toEqual({ language: DEFAULT_LANGUAGE, unsupported: false, fromText: true });
    expect(resolveLanguage({}).language).toBe(DEFAULT_LANGUAGE);
  });

  it('switches mid-conversation on a long, sure message in another of the five, and says from which', () => {
    expect(resolveLanguage({ preferred: 'en', written: sure('es') })).toEqual({
      language: 'es',
      chosen: 'es',
      switchedFrom: 'en',
      unsupported: false,
      fromText: true,
    });
  });

  it('does not switch on a short or unsure message, nor on an answer to a question', () => {
    const short = { language: 'es' as const, p: 0.99, words: THRESHOLDS.switchWords - 1 };
    const unsure = { language: 'es' as const, p: THRESHOLDS.switchP - 0.01, words: 10 };
    for (const written of [short, unsure]) expect(resolveLanguage({ preferred: 'en', written }).language).toBe('en');
    expect(resolveLanguage({ locale: 'en-GB', written: sure('es'), answering: true }).language).toBe('en');
  });

  it('recognises a message in a language the bot does not speak, except as an answer', () => {
    const inItalian = resolveLanguage({ locale: 'it-IT', written: sure('other') });
    expect(inItalian).toEqual({ language: 'it', unsupported: true, fromText: false });
    const unknown = resolveLanguage({ written: sure('other') });
    expect(unknown).toEqual({ language: DEFAULT_LANGUAGE, unsupported: true, fromText: true });
    expect(resolveLanguage({ locale: 'it-IT', written: sure('other'), answering: true }).unsupported).toBe(false);
    const few = { language: 'other' as const, p: 0.99, words: THRESHOLDS.otherWords - 1 };
    expect(resolveLanguage({ locale: 'it-IT', written: few }).unsupported).toBe(false);
  });

  it('says it does not speak the language only on positive evidence: a word only other languages use', () => {
    const guess = (foreign: string[]) => ({ ...sure('other'), foreign });
    expect(resolveLanguage({ locale: 'de-DE', written: guess([]) })).toEqual({
      language: 'de',
      unsupported: false,
      fromText: false,
    });
    expect(resolveLanguage({ locale: 'de-DE', written: guess(['mogę']) }).unsupported).toBe(true);
  });
});
