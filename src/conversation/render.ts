import type { i18n } from 'i18next';
import { LANGUAGES, type Language } from '../content/languages';

/** Candidates of a British exam board: English dates and times in British style. */
const FORMAT_LOCALE: Record<Language, string> = { en: 'en-GB', es: 'es-ES', it: 'it-IT', fr: 'fr-FR', de: 'de-DE' };
import type { Param, Say } from '../machine/types';

export interface RenderOptions {
  language: Language;
  /** IANA time zone of the user (e.g. "Europe/Berlin") when the channel tells it. */
  timeZone?: string;
  now: Date;
  links: Record<string, string>;
}

/** Characters that would turn a user's own words into markdown formatting or links. */
const MARKDOWN = /[\\`*_{}[\]()<>#+!|~]/g;

export function escapeMarkdown(text: string): string {
  return text.replace(MARKDOWN, (character) => `\\${character}`);
}

/** Turns what the dialog said into text in the user's language. */
export class Renderer {
  constructor(private readonly i18n: i18n) {}

  render(said: readonly Say[], options: RenderOptions): string[] {
    return said.map((say) => (say.multilingual ? this.inOtherLanguages(say.key, options.language) : this.one(say, options)));
  }

  private one(say: Say, options: RenderOptions): string {
    const t = this.i18n.getFixedT(options.language);
    return t(say.key, { ...this.format(say.params ?? {}, options), links: options.links });
  }

  private inOtherLanguages(key: string, current: Language): string {
    return LANGUAGES.filter((language) => language !== current)
      .map((language) => this.i18n.getFixedT(language)(key))
      .join('\n\n');
  }

  private format(params: Record<string, Param>, options: RenderOptions): Record<string, string | number> {
    const formatted: Record<string, string | number> = {};
    for (const [name, value] of Object.entries(params)) {
      if (typeof value === 'number') formatted[name] = value;
      else if (typeof value === 'string') formatted[name] = escapeMarkdown(value);
      else if ('date' in value) formatted[name] = formatDate(value.date, options.language);
      else {
        const until = new Date(value.instant);
        formatted[name] = formatTime(until, options.language, options.timeZone);
        // "in N minutes", rounded up so a lock never looks over before it is.
        formatted.count = Math.max(1, Math.ceil((until.getTime() - options.now.getTime()) / 60_000));
      }
    }
    return formatted;
  }
}

export function formatDate(isoDate: string, language: Language): string {
  return new Intl.DateTimeFormat(FORMAT_LOCALE[language], { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(`${isoDate}T00:00:00Z`));
}

export function formatTime(instant: Date, language: Language, timeZone: string | undefined): string {
  const zone = timeZone && isTimeZone(timeZone) ? timeZone : 'UTC';
  return new Intl.DateTimeFormat(FORMAT_LOCALE[language], { hour: '2-digit', minute: '2-digit', timeZone: zone, timeZoneName: 'short' }).format(instant);
}

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
