import i18next, { type i18n } from 'i18next';
import type { Content } from './loadContent';
import { DEFAULT_LANGUAGE, LANGUAGES, NAMESPACES } from '../dialog/languages';

/** One i18next instance for the process; each turn takes a fixed `t` for its language. */
export function createTranslator(content: Content): i18n {
  const instance = i18next.createInstance();
  void instance.init({
    resources: content.resources,
    lng: DEFAULT_LANGUAGE,
    supportedLngs: [...LANGUAGES],
    // No silent fallback to English: a missing text is a content error caught at start-up.
    fallbackLng: false,
    ns: [...NAMESPACES],
    defaultNS: 'helpdesk',
    interpolation: { escapeValue: false },
    returnNull: false,
    initAsync: false,
  });
  return instance;
}
