import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadContent, type Content } from '../../src/content/loadContent';
import { LANGUAGES } from '../../src/dialog/languages';
import { flatten } from '../../src/content/localeFiles';
import { languageModelOf, trainingDataOf } from '../../src/nlu/fromContent';
import { LanguageModel } from '../../src/nlu/model';
import { ROOT } from '../support/helpers';
import { tempFolder } from '../support/tempFolders';

/** Every example of the content, in every language: what the model is asked about in the comparisons. */
function examplesOf(content: Content): string[] {
  return LANGUAGES.flatMap((language) => {
    const { topics, moves, none } = content.examples.byLanguage[language];
    return [...Object.values(topics).flat(), ...Object.values(moves).flat(), ...none];
  });
}

describe('the language model kept in a file', () => {
  it('is loaded on the next start instead of trained, and answers exactly as the trained one', () => {
    const folder = tempFolder('helpdesk-model-');
    const first = languageModelOf(loadContent(ROOT), folder);
    expect(readdirSync(folder).filter((name) => name.endsWith('.bin'))).toHaveLength(1);

    const train = jest.spyOn(LanguageModel, 'train');
    const restarted = loadContent(ROOT);
    const loaded = languageModelOf(restarted, folder);
    expect(train).not.toHaveBeenCalled();
    train.mockRestore();

    const texts = [...examplesOf(restarted), 'xq zzv', 'auf Englisch bitte', 'これは日本語です'];
    const answers = (model: LanguageModel) =>
      texts.map((text) => [
        model.rankIntents(text),
        model.familiarity(text),
        model.detectLanguage(text),
        model.namedLanguages(text),
      ]);
    expect(answers(loaded)).toEqual(answers(first));
  });

  it('is trained again, into a file of its own, when the examples change', () => {
    const folder = tempFolder('helpdesk-model-');
    const content = loadContent(ROOT);
    languageModelOf(content, folder);
    const { topics } = content.examples.byLanguage.en;
    const [topic, texts] = Object.entries(topics)[0]!;
    const changed: Content = {
      ...content,
      examples: {
        ...content.examples,
        byLanguage: {
          ...content.examples.byLanguage,
          en: {
            ...content.examples.byLanguage.en,
            topics: { ...topics, [topic]: [...texts, 'one more way to say it'] },
          },
        },
      },
    };
    const train = jest.spyOn(LanguageModel, 'train');
    languageModelOf(changed, folder);
    expect(train).toHaveBeenCalledTimes(1);
    train.mockRestore();
    expect(readdirSync(folder).filter((name) => name.endsWith('.bin'))).toHaveLength(2);
  });

  it('is trained again when its file is cut short or not a model file, and the file is written whole again', () => {
    const folder = tempFolder('helpdesk-model-');
    const first = languageModelOf(loadContent(ROOT), folder);
    const [name] = readdirSync(folder).filter((file) => file.endsWith('.bin'));
    const file = path.join(folder, name!);
    const whole = readFileSync(file);
    for (const damaged of [whole.subarray(0, whole.byteLength - 8), Buffer.from('{"intents":{}}')]) {
      writeFileSync(file, damaged);
      const train = jest.spyOn(LanguageModel, 'train');
      const again = languageModelOf(loadContent(ROOT), folder);
      expect(train).toHaveBeenCalledTimes(1);
      train.mockRestore();
      expect(again.rankIntents('I forgot my password')).toEqual(first.rankIntents('I forgot my password'));
      expect(readFileSync(file)).toEqual(whole);
    }
  });
});

describe("the language model's samples of each language", () => {
  it("leave out the studio page's own words (for leads, not candidates), so editing them cannot move the model", () => {
    const content = loadContent(ROOT);
    const { languageTexts } = trainingDataOf(content);
    for (const language of LANGUAGES) {
      const web = content.resources[language].web as { studio: { page: Record<string, unknown> } };
      const pageTexts = flatten(web.studio.page).map(([, text]) => String(text));
      expect(pageTexts.length).toBeGreaterThan(0);
      expect(languageTexts[language].filter((text) => pageTexts.includes(text) && text.includes(' '))).toEqual([]);
      expect(languageTexts[language].length).toBeGreaterThan(20);
    }
  });
});
