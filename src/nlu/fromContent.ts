import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { LANGUAGES, type Language } from '../dialog/languages';
import { STUDIO_PAGE_PREFIX } from '../dialog/systemKeys';
import { studioWordPlaceholders } from '../dialog/studioWords';
import type { Content } from '../content/loadContent';
import { flatten } from '../content/localeFiles';
import { LanguageModel, type TrainingData } from './model';
import { modelBytes, modelFromBytes } from './modelFile';

/** The training data the content holds: its examples, and its own texts as samples of each language. */
export function trainingDataOf(content: Content): TrainingData {
  const languageTexts = {} as Record<Language, string[]>;
  const languageNames = {} as Record<Language, string[]>;
  for (const language of LANGUAGES) {
    // The studio's own words are for leads, not what candidates read: they do not shape the language model.
    languageTexts[language] = Object.entries(content.resources[language])
      .flatMap(([ns, texts]) => flatten(texts).filter(([key]) => !isStudioOwnWord(`${ns}:${key}`)))
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

/**
 * The language model the content teaches; trained once per loaded content. A trained model is kept in a binary
 * file (`modelFile.ts`) named by the hash of its training data and of the code that trains it (`npm run build`
 * makes it), so a start with the same content and code loads it in milliseconds instead of training again.
 */
export function languageModelOf(content: Content, cacheDir: string = MODEL_CACHE_DIR): LanguageModel {
  let model = trained.get(content);
  if (!model) {
    const data = trainingDataOf(content);
    const file = path.join(cacheDir, `${modelHash(data)}.bin`);
    model = readModel(file) ?? keep(LanguageModel.train(data), file);
    trained.set(content, model);
  }
  return model;
}

/** Where trained models are kept: MODEL_CACHE_DIR, else .cache/models in the project. */
export const MODEL_CACHE_DIR = process.env.MODEL_CACHE_DIR ?? path.resolve(__dirname, '..', '..', '.cache', 'models');

/** The training data and the training code (this folder, and the text folding its features use). */
function modelHash(data: TrainingData): string {
  const hash = createHash('sha256').update(JSON.stringify(data));
  const code = [__dirname, path.join(__dirname, '..', 'dialog')];
  for (const folder of code) {
    for (const name of readdirSync(folder).sort()) {
      if (/\.(ts|js)$/.test(name)) hash.update(name).update(readFileSync(path.join(folder, name)));
    }
  }
  return hash.digest('base64url').slice(0, 32);
}

function readModel(file: string): LanguageModel | undefined {
  try {
    return modelFromBytes(readFileSync(file));
  } catch {
    return undefined;
  }
}

/** Writes the model's file (whole or not at all); a folder that cannot be written only means training next time. */
function keep(model: LanguageModel, file: string): LanguageModel {
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, modelBytes(model));
    renameSync(partial, file);
  } catch {
    // Read-only or missing folder: the model still works, it is trained again on the next start.
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

/** The studio page's words and the studio server's (web:studio.page.*, web:studio.error.*, …). */
function isStudioOwnWord(id: string): boolean {
  return id.startsWith(STUDIO_PAGE_PREFIX) || studioWordPlaceholders(id) !== undefined;
}
