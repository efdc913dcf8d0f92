import { flatten } from '../../src/content/localeFiles';
import type { Language } from '../../src/dialog/languages';
import { content } from './helpers';

/** The studio page's words in one language (web:studio.page.*), as the content has them. */
export function pageWords(language: Language): Record<string, string> {
  const web = content().resources[language].web as { studio: { page: Record<string, unknown> } };
  return Object.fromEntries(flatten(web.studio.page)) as Record<string, string>;
}

/** A text with its {{placeholders}} filled (numbers as the page writes them in English). */
export const fill = (text: string, values: Record<string, string | number> = {}) =>
  text.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name: string) => String(values[name] ?? ''));

/** The studio's words as the page shows them: `say('structure.title', { step: 'menu' })`. */
export function studioSays(language: Language) {
  const words = pageWords(language);
  const languages = (content().resources[language].common as { languages: Record<Language, string> }).languages;
  const say = (key: string, values: Record<string, string | number> = {}) => {
    const text = words[key];
    if (text === undefined) throw new Error(`no studio text ${key} in ${language}`);
    return fill(text, values);
  };
  /** A language's name in the page's language, as the studio labels its boxes and columns. */
  say.language = (which: Language) => languages[which];
  /** The text as a whole-text pattern, each placeholder standing for any words. */
  say.pattern = (key: string) => {
    const parts = (words[key] ?? say(key)).split(/\{\{\s*\w+\s*\}\}/);
    return new RegExp(`^${parts.map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.+')}$`);
  };
  return say;
}

/**
 * What the studio's server says in one language (web:studio.error.*, web:studio.problem.*), as
 * the content has it: `serverSays('de')('error.csrf')`, with values filled in.
 */
export function serverSays(language: Language) {
  const web = content().resources[language].web as { studio: Record<string, unknown> };
  const words = Object.fromEntries(flatten(web.studio)) as Record<string, string>;
  const say = (key: string, values: Record<string, string | number> = {}) => {
    const text = words[key];
    if (text === undefined) throw new Error(`no studio text ${key} in ${language}`);
    return fill(text, values);
  };
  const languages = (content().resources[language].common as { languages: Record<Language, string> }).languages;
  /** A language's name in this language, as the server names the languages a problem is about. */
  say.language = (which: Language) => languages[which];
  /** The text as a whole-text pattern: the values given filled in, every other placeholder any words. */
  say.pattern = (key: string, values: Record<string, string> = {}) => {
    say(key);
    const escape = (part: string) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const parts = words[key]!.split(/(\{\{\s*\w+\s*\}\})/).map((part) => {
      const name = /^\{\{\s*(\w+)\s*\}\}$/.exec(part)?.[1];
      if (!name) return escape(part);
      return values[name] === undefined ? '.+' : escape(values[name]);
    });
    return new RegExp(`^${parts.join('')}$`);
  };
  return say;
}
