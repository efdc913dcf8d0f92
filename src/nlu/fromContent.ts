import { LANGUAGES, type Language } from '../dialog/languages';
import type { Content } from '../content/loadContent';
import { flatten } from '../content/localeFiles';
import { LanguageModel, type TrainingData } from './model';

/** The training data the content holds: its examples, and its own texts as samples of each language. */
export function trainingDataOf(content: Content): TrainingData {
  const languageTexts = {} as Record<Language, string[]>;
  const languageNames = {} as Record<Language, string[]>;
  for (const language of LANGUAGES) {
    languageTexts[language] = Object.values(content.resources[language])
      .flatMap((texts) => flatten(texts))
      .map(([, value]) => (typeof value === 'string' ? plain(value) : ''))
      .filter((text) => text.length > 0);
    languageNames[language] = [];
  }
  for (const language of LANGUAGES) {
    const common = content.resources[language].common as {
      language?: { name?: string };
      languages?: Record<string, string>;
    };
    if (common.language?.name) languageNames[language].push(common.language.name);
    for (const other of LANGUAGES) {
      const name = common.languages?.[other];
      if (name) languageNames[other].push(name);
    }
  }
  return {
    examples: content.examples.byLanguage,
    unsupported: content.examples.unsupported,
    languageTexts,
    languageNames,
  };
}

const trained = new WeakMap<Content, LanguageModel>();

/** The language model the content teaches; trained once per loaded content. */
export function languageModelOf(content: Content): LanguageModel {
  let model = trained.get(content);
  if (!model) {
    model = LanguageModel.train(trainingDataOf(content));
    trained.set(content, model);
  }
  return model;
}

/** A text without placeholders, links and markdown, as a sample of the language. */
function plain(text: string): string {
  return text
    .replace(/\{\{[^}]*\}\}/g, ' ')
    .replace(/https?:\/\/\S+/g, ' ')
    .replace(/[*_>#[\]()]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}
