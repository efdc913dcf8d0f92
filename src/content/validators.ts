import { LANGUAGES } from '../dialog/languages';
import { fold } from '../dialog/text';
import type { ValidatorSpec } from './dialogSchema';

export type Validation = { ok: true; value: string } | { ok: false; error: string };
export type Validate = (raw: string, now: Date) => Validation;

export type Mask = 'none' | 'partial' | 'full';

/** A compiled validator: checks an answer and says how to show it back. */
export interface SlotValidator {
  readonly kind: ValidatorSpec['kind'];
  readonly mask: Mask;
  readonly secret: boolean;
  readonly validate: Validate;
  /**
   * Whether a message has the shape of this kind of answer (digits for a number, something date-like for a
   * date), right or wrong: such a message is checked as the answer, never taken for a change of topic.
   */
  readonly shaped: (raw: string) => boolean;
}

const wordCount = (raw: string) => raw.trim().split(/\s+/u).filter(Boolean).length;
/** A code of letters and digits with at least one digit, in three pieces at most ("84", "SIR 094701"). */
const codeShaped = (raw: string) =>
  wordCount(raw) <= 3 && /\p{N}/u.test(raw) && /^[\p{L}\p{N}]+$/u.test(raw.replace(/[\s\-_.]/gu, ''));
/** Four words at most and not a question ("Ana García López", "B2 First"). */
const textShaped = (raw: string) => wordCount(raw) <= 4 && !/[?¿]/u.test(raw);
/** A few words with a number in them ("30", "12 marzo", "am 12. März"). */
const dateShaped = (raw: string) => wordCount(raw) <= 6 && /\p{N}/u.test(raw);

/** Control characters (C0 and C1) and invisible format marks that a pasted answer may carry. */
const CONTROL_CHARS = /[\p{Cc}\u200b-\u200f\u2028-\u202e\u2060-\u206f]/gu;

export function compileValidator(spec: ValidatorSpec): SlotValidator {
  switch (spec.kind) {
    case 'pattern': {
      const pattern = new RegExp(spec.pattern, 'u');
      const steps = spec.normalize;
      return {
        kind: spec.kind,
        mask: spec.mask,
        secret: spec.secret,
        validate: (raw) => {
          let value = raw.replace(CONTROL_CHARS, '').trim();
          for (const step of steps) value = NORMALIZE[step](value);
          return value.length <= 200 && pattern.test(value) ? { ok: true, value } : { ok: false, error: spec.error };
        },
        shaped: codeShaped,
      };
    }
    case 'text':
      return {
        kind: spec.kind,
        mask: spec.mask,
        secret: false,
        validate: (raw) => {
          const value = raw.replace(/\s+/gu, ' ').replace(CONTROL_CHARS, '').replace(/ {2,}/g, ' ').trim();
          const fits = value.length >= spec.minLength && value.length <= spec.maxLength;
          const hasLetters = !spec.letters || /\p{L}/u.test(value);
          return fits && hasLetters ? { ok: true, value } : { ok: false, error: spec.error };
        },
        // A few words, not a question: a name ("Centro de Exámenes Madrid"); longer text may be a change of topic.
        shaped: textShaped,
      };
    case 'pastDate':
      return {
        kind: spec.kind,
        mask: 'none',
        secret: false,
        validate: (raw, now) => {
          const read = readDate(raw, now);
          if (!read) return { ok: false, error: spec.error };
          if (!('date' in read)) return { ok: false, error: spec.errors.noSuchDay ?? spec.error };
          const { date } = read;
          // A day's grace: the candidate's calendar may already be on tomorrow.
          const tomorrow = new Date(now.getTime() + 86_400_000).toISOString().slice(0, 10);
          if (date > tomorrow) return { ok: false, error: spec.errors.future ?? spec.error };
          if (Number(date.slice(0, 4)) < spec.earliestYear)
            return { ok: false, error: spec.errors.tooOld ?? spec.error };
          return { ok: true, value: date };
        },
        shaped: dateShaped,
      };
  }
}

const NORMALIZE: Record<string, (value: string) => string> = {
  trim: (value) => value.trim(),
  removeSpaces: (value) => value.replace(/[\s\-_.]/gu, ''),
  upperCase: (value) => value.toUpperCase(),
  lowerCase: (value) => value.toLowerCase(),
};

/** Shows a value back with the parts that must stay private replaced. */
export function maskValue(value: string, mask: Mask): string {
  if (mask === 'none') return value;
  if (mask === 'full' || value.length <= 5) return '•'.repeat(Math.max(4, value.length));
  return value.slice(0, 3) + '•'.repeat(value.length - 5) + value.slice(-2);
}

/** Month names as people type them in the five languages, long and short, without accents. */
const MONTHS: ReadonlyMap<string, number> = (() => {
  const months = new Map<string, number>();
  for (const language of LANGUAGES) {
    for (const style of ['long', 'short'] as const) {
      const format = new Intl.DateTimeFormat(language, { month: style, timeZone: 'UTC' });
      for (let month = 1; month <= 12; month++) {
        const name = fold(format.format(new Date(Date.UTC(2020, month - 1, 15))));
        months.set(name, month);
        if (name.length > 3) months.set(name.slice(0, 3), month);
      }
    }
  }
  months.set('sept', 9);
  return months;
})();

/** What people write before a date: "el 12 de marzo", "le 12 mars", "am 12. März", "on the 12th". */
const LEADING_ARTICLES = /^(?:(?:on|the|el|le|il|am|den|l')\s*)+(?=\d)/;

/**
 * Reads a date as candidates type it: day first (14/06/2025, 14.6.25, 14-06-2025), ISO
 * (2025-06-14) or with a month name in any of the five languages (14 June 2025, 14. Juni 2025,
 * 14 de junio de 2025, June 14, 2025), also without the year (12 marzo, 12/03: the latest such day
 * up to today), with the article before it ("el 12 de marzo", "am 12. März"), and month/day when the
 * order can only be that (06/14/2025). Returns YYYY-MM-DD, or null for anything else or for a
 * day that does not exist (31/02/2025).
 */
export function parseDate(raw: string, now: Date): string | null {
  const read = readDate(raw, now);
  return read && 'date' in read ? read.date : null;
}

/** A date read as in `parseDate`; `noSuchDay` when it is written as a date but that day does not exist (31.02). */
function readDate(raw: string, now: Date): { date: string } | { noSuchDay: true } | null {
  const text = fold(raw, { keepPunctuation: true }).replace(/[.,]$/, '').replace(LEADING_ARTICLES, '');
  let day: number;
  let month: number;
  let year: number | undefined;
  let match: RegExpMatchArray | null;
  if ((match = text.match(/^(\d{4})-(\d{1,2})-(\d{1,2})$/))) {
    [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  } else if ((match = text.match(/^(\d{1,2}) ?[/.-] ?(\d{1,2})(?: ?[/.-] ?(\d{4}|\d{2}))?$/))) {
    [day, month, year] = [Number(match[1]), Number(match[2]), match[3] ? expandYear(match[3], now) : undefined];
    // 06/14/2025 can only be month/day: read it so rather than refusing it.
    if (month > 12 && day <= 12) [day, month] = [month, day];
  } else if (
    (match = text.match(
      /^(?:the )?(\d{1,2})(?:st|nd|rd|th|er|o|º|°)?\.? (?:de |of )?(\p{L}+)\.?(?:,? (?:de )?(\d{4}))?$/u,
    ))
  ) {
    const named = MONTHS.get(match[2]!);
    if (!named) return null;
    [day, month, year] = [Number(match[1]), named, match[3] ? Number(match[3]) : undefined];
  } else if ((match = text.match(/^(\p{L}+)\.? (\d{1,2})(?:st|nd|rd|th)?(?:,? (\d{4}))?$/u))) {
    const named = MONTHS.get(match[1]!);
    if (!named) return null;
    [day, month, year] = [Number(match[2]), named, match[3] ? Number(match[3]) : undefined];
  } else {
    return null;
  }
  // "12 marzo", "12/03": the exam was taken in the past, so the latest such day up to today.
  if (year === undefined) {
    year = now.getUTCFullYear();
    if (Date.UTC(year, month - 1, day) > now.getTime()) year -= 1;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31) return null;
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day)
    return { noSuchDay: true };
  return { date: date.toISOString().slice(0, 10) };
}

function expandYear(digits: string, now: Date): number {
  if (digits.length === 4) return Number(digits);
  const century = Math.floor(now.getUTCFullYear() / 100) * 100;
  const year = century + Number(digits);
  return year > now.getUTCFullYear() ? year - 100 : year;
}
