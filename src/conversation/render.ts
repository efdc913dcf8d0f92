import type { i18n } from 'i18next';
import { LANGUAGES, LOCALES, type Language } from '../dialog/languages';
import type { Param, Say } from '../machine/types';
import type { TextVariant } from '../dialog/systemKeys';

export interface RenderOptions {
  language: Language;
  /** IANA time zone of the user (e.g. "Europe/Berlin") when the channel tells it. */
  timeZone?: string;
  now: Date;
  links: Record<string, string>;
}

/**
 * Characters that would turn a user's own words, inside a line of the bot's text, into markdown formatting,
 * links or HTML. Brackets and parentheses alone cannot make a link once "[" and "]" are escaped, and Teams shows
 * some escapes literally ("Schule \\(Nord\\)"), so only these are escaped.
 */
const MARKDOWN = /[\\`*_[\]<>|~]/g;

export function escapeMarkdown(text: string): string {
  return text.replace(MARKDOWN, (character) => `\\${character}`);
}

/** Turns what the dialog said into text in the user's language. */
export class Renderer {
  constructor(private readonly i18n: i18n) {}

  /**
   * A text in a language. Straight to `t` with the language among the options: i18next's fixed-language `t`
   * copies all of its settings into a fresh object at every call, the largest cost of rendering a turn.
   */
  private t(language: Language) {
    return (key: string, options: Record<string, unknown> = {}): string =>
      this.i18n.t(key, { ...options, lng: language }) as string;
  }

  render(said: readonly Say[], options: RenderOptions): string[] {
    return said.map((say) =>
      say.multilingual ? this.inOtherLanguages(say.key, options.language) : this.one(say, options),
    );
  }

  private one(say: Say, options: RenderOptions): string {
    const params = say.params ?? {};
    // With no time zone, a time is said as "in N minutes" (the text's `_inMinutes` variant, when it has one).
    const inMinutes = !knownZone(options.timeZone) && Object.values(params).some(isInstant);
    return this.t(options.language)(say.key, {
      ...this.format(params, options),
      links: options.links,
      ...(inMinutes ? { context: INMINUTES } : {}),
    });
  }

  private inOtherLanguages(key: string, current: Language): string {
    return LANGUAGES.filter((language) => language !== current)
      .map((language) => this.t(language)(key))
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

const INMINUTES: TextVariant = 'inMinutes';

function isInstant(value: Param): value is { instant: string } {
  return typeof value === 'object' && 'instant' in value;
}

function knownZone(timeZone: string | undefined): boolean {
  return timeZone !== undefined && isTimeZone(timeZone);
}

/** Building an Intl formatter is slow; a few are reused for every turn. */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(key: string, make: () => Intl.DateTimeFormat): Intl.DateTimeFormat {
  let found = formatters.get(key);
  if (!found) {
    found = make();
    formatters.set(key, found);
  }
  return found;
}

export function formatDate(isoDate: string, language: Language): string {
  return formatter(
    `date|${language}`,
    () => new Intl.DateTimeFormat(LOCALES[language], { dateStyle: 'long', timeZone: 'UTC' }),
  ).format(new Date(`${isoDate}T00:00:00Z`));
}

export function formatTime(instant: Date, language: Language, timeZone: string | undefined): string {
  const zone = timeZone && isTimeZone(timeZone) ? timeZone : 'UTC';
  return formatter(
    `time|${language}|${zone}`,
    () =>
      new Intl.DateTimeFormat(LOCALES[language], {
        hour: '2-digit',
        minute: '2-digit',
        timeZone: zone,
        timeZoneName: 'short',
      }),
  ).format(instant);
}

const knownZones = new Map<string, boolean>();

export function isTimeZone(zone: string): boolean {
  let known = knownZones.get(zone);
  if (known === undefined) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone });
      known = true;
    } catch {
      known = false;
    }
    // Zones come from channels; keep the cache from growing without bound on junk.
    if (knownZones.size < 1000) knownZones.set(zone, known);
  }
  return known;
}
