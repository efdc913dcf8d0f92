import { createHash } from 'node:crypto';
import { LANGUAGES, NAMESPACES, type Language } from '../dialog/languages';
import { flatten } from '../content/localeFiles';
import { splitKey } from '../content/textChecks';
import type { Snapshot } from './snapshot';

/** A text's place: its language and its key as written in the dialog ("lockout.afterWait", "common:choice.back"). */
export interface TextRef {
  language: Language;
  key: string;
}

export function isLanguage(value: string): value is Language {
  return (LANGUAGES as readonly string[]).includes(value);
}

export function localeFileOf(ref: TextRef): string | undefined {
  const { ns } = splitKey(ref.key);
  return (NAMESPACES as readonly string[]).includes(ns) ? `locales/${ref.language}/${ns}.json` : undefined;
}

function parsed(snapshot: Snapshot, file: string): Record<string, unknown> | undefined {
  const text = snapshot[file];
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Every text key of a language, as the dialog names them (namespace prefix for all but helpdesk). */
export function textsOf(snapshot: Snapshot, language: Language): Map<string, string> {
  const texts = new Map<string, string>();
  for (const ns of NAMESPACES) {
    const data = parsed(snapshot, `locales/${language}/${ns}.json`) ?? {};
    for (const [key, value] of flatten(data))
      if (typeof value === 'string') texts.set(ns === 'helpdesk' ? key : `${ns}:${key}`, value);
  }
  return texts;
}

/** The text, or undefined when this language does not have it. */
export function readText(snapshot: Snapshot, ref: TextRef): string | undefined {
  const file = localeFileOf(ref);
  const data = file ? parsed(snapshot, file) : undefined;
  let node: unknown = data;
  for (const part of splitKey(ref.key).path.split('.')) {
    node = node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined;
  }
  return typeof node === 'string' ? node : undefined;
}

/** A key the content knows: English has it. Only known keys are edited; new texts come with new steps. */
export function isKnownKey(snapshot: Snapshot, key: string): boolean {
  return readText(snapshot, { language: 'en', key }) !== undefined;
}

/** The snapshot with one text replaced, its file written the way the locale files are laid out. */
export function withText(snapshot: Snapshot, ref: TextRef, text: string): Snapshot {
  const file = localeFileOf(ref)!;
  const data = parsed(snapshot, file) ?? {};
  const parts = splitKey(ref.key).path.split('.');
  let node = data;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (!next || typeof next !== 'object' || Array.isArray(next)) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts.at(-1)!] = text;
  return { ...snapshot, [file]: `${JSON.stringify(data, null, 2)}\n` };
}

/**
 * The snapshot without a text in one language (with its plural forms and variants, `body_one`, `body_inMinutes`),
 * and without the sections it leaves empty, so removing a text added before gives the file back as it was.
 */
export function withoutText(snapshot: Snapshot, ref: TextRef): Snapshot {
  const file = localeFileOf(ref);
  const data = file ? parsed(snapshot, file) : undefined;
  if (!file || !data) return snapshot;
  const parts = splitKey(ref.key).path.split('.');
  const trail = [data];
  for (const part of parts.slice(0, -1)) {
    const next = trail.at(-1)![part];
    if (!next || typeof next !== 'object' || Array.isArray(next)) return snapshot;
    trail.push(next as Record<string, unknown>);
  }
  const node = trail.at(-1)!;
  const last = parts.at(-1)!;
  const names = Object.keys(node).filter((name) => name === last || name.startsWith(`${last}_`));
  if (names.length === 0) return snapshot;
  for (const name of names) delete node[name];
  for (let depth = trail.length - 1; depth > 0 && Object.keys(trail[depth]!).length === 0; depth--)
    delete trail[depth - 1]![parts[depth - 1]!];
  return { ...snapshot, [file]: `${JSON.stringify(data, null, 2)}\n` };
}

/** Changes when the text changes (or appears), so a save made from an older reading is recognised. */
export function etagOf(ref: TextRef, text: string | undefined): string {
  return createHash('sha256')
    .update(`${ref.language}\0${ref.key}\0${text ?? '\0missing'}`)
    .digest('hex')
    .slice(0, 20);
}
