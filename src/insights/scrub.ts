import { createHash } from 'node:crypto';
import { fold } from '../dialog/text';

/** The longest text the inbox keeps of a message. */
const MAX_KEPT = 200;

/**
 * A message as the inbox may keep it: web and e-mail addresses and every word with a digit in it (digit runs,
 * ID and secret numbers, dates, references) taken out. Undefined when nothing worth reading is left.
 */
export function scrub(text: string): string | undefined {
  const kept = text
    .replace(/\b(?:[a-z][a-z0-9+.-]*:\/\/|www\.)\S+/gi, ' ')
    .replace(/\S+@\S+/g, ' ')
    .replace(/\S*\d\S*/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, MAX_KEPT);
  return fold(kept) ? kept : undefined;
}

/** Messages that fold alike, in one language, are one group of the inbox. */
export function groupIdOf(language: string, scrubbed: string): string {
  return createHash('sha256')
    .update(`${language}\0${fold(scrubbed)}`)
    .digest('base64url')
    .slice(0, 16);
}
