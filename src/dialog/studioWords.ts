import type { Language } from './languages';

/**
 * What the studio's server says to a lead (web:studio.error.*, .problem.*, .diff.*, .version.*): each
 * text's key, with the values the code fills in. The words themselves live in locales/<language>/web.json, so a
 * lead reads them in the page's language and may edit them like any other text.
 */
export const STUDIO_WORDS_PREFIX = 'web:studio.';
/** Where the content names each language in the reader's language (`common:languages.fr`). */
const LANGUAGE_NAMES = 'common:languages.';

/** Each key the code says, with the placeholders its texts may use (`count` picks a plural form). */
export const STUDIO_WORDS = {
  'error.noFile': [],
  'error.signInFirst': [],
  'error.csrf': [],
  'error.publishersOnly': [],
  'error.failed': [],
  'error.sendCredentials': [],
  'error.tooManySignIns': ['count'],
  'error.wrongCredentials': [],
  'error.draftInvalid': [],
  'error.language': ['languages'],
  'error.noText': ['key'],
  'error.sendText': [],
  'error.sendEtag': [],
  'error.conflict': [],
  'error.invalidText': [],
  'error.publishNeedsMessage': [],
  'error.notPublishable': [],
  'error.badAgainst': [],
  'error.noVersion': ['version'],
  'error.noVersions': ['other', 'version'],
  'error.restoreInvalid': [],
  'error.sendMessage': ['max'],
  'error.sendPreview': ['languages'],
  'error.insightsOff': [],
  'error.sendDays': [],
  'error.dayRange': ['days'],
  'error.sendTopic': [],
  'error.noInboxMessage': [],
  'error.inboxLanguage': [],
  'error.unknownTopic': ['topic', 'topics'],
  'error.invalidExample': [],
  'error.noDraft': [],
  'error.structureConflict': [],
  'error.invalidStructure': [],
  'error.noStep': ['step'],
  'error.noPreview': ['problems'],
  'error.previewNotYours': [],
  'problem.publishMessage': [],
  'problem.noDraft': [],
  'problem.busy': [],
  'problem.noStep': ['step'],
  'problem.stepExists': ['step'],
  'problem.dialogBroken': [],
  'problem.name': [],
  'problem.stepFields': [],
  'problem.textKey': ['example'],
  'problem.exampleMessage': [],
  'problem.exampleList': [],
  'problem.someChange': [],
  'problem.wrongType': ['expected'],
  'problem.unknownFields': ['fields'],
  'problem.oneOf': ['values'],
  'problem.tooLong': ['maximum'],
  'problem.invalid': [],
  'problem.notText': ['key'],
  'problem.emptyText': ['key'],
  'problem.unknownPlaceholder': ['key', 'known', 'placeholder'],
  'problem.missingText': ['path'],
  'problem.missingPlural': ['path'],
  'problem.missingTranslation': ['path'],
  'problem.placeholdersDiffer': ['english', 'found', 'path'],
  'problem.placeholdersMissing': ['english', 'path'],
  'problem.placeholdersExtra': ['found', 'path'],
  'problem.untranslated': ['key', 'path'],
  'problem.notInEnglish': ['path'],
  'problem.unusedText': ['file', 'path'],
  'problem.badUrl': ['key', 'target'],
  'problem.scriptsMissing': [],
  'problem.evalMissing': [],
  'problem.scriptFails': ['description', 'failures', 'state', 'step'],
  'problem.understoodLess': ['draft', 'language', 'live', 'misses'],
  'problem.understoodLessOverall': ['draft', 'live', 'misses'],
  'problem.glossary': ['file', 'found', 'key', 'use'],
  'problem.sameButtons': ['first', 'key', 'language', 'step'],
  'problem.missingFile': ['english'],
  'problem.notTexts': [],
  'problem.notJson': ['detail'],
  'problem.leadsNowhere': ['target'],
  'problem.twoChoices': ['target'],
  'problem.unreachable': ['folder', 'start'],
  'problem.newTextLanguages': ['languages'],
  'problem.badPattern': ['detail'],
  'problem.unsafePattern': [],
  'problem.noNode': ['target'],
  'problem.startIsForm': [],
  'problem.startNoChoices': [],
  'problem.handoverIsForm': [],
  'problem.notAChoice': ['answer', 'target'],
  'problem.unknownAction': ['action', 'actions'],
  'problem.askedTwice': ['slot'],
  'problem.noValidator': ['validator'],
  'problem.otherValidator': ['previous', 'slot'],
  'problem.editLabel': [],
  'problem.missingInput': ['action', 'input'],
  'problem.missingOutcome': ['action', 'outcome'],
  'problem.unknownOutcome': ['action', 'outcome', 'outcomes'],
  'problem.dialogMissing': [],
  'problem.allowlist': [],
  'problem.unknownField': ['fields'],
  'problem.required': ['expected'],
  'problem.sayNone': [],
  'problem.reservedSlot': [],
  'problem.askNone': [],
  'problem.httpsOnly': [],
  'problem.emptyExample': [],
  'problem.longExample': [],
  'problem.exampleTwice': ['earlier'],
  'problem.exampleNoStep': ['file', 'topic'],
  'problem.exampleOfForm': ['topic'],
  'problem.fewExamples': ['count', 'needed'],
  'problem.noExamplesAnywhere': ['needed', 'topic'],
  'problem.fewMoveExamples': ['count', 'needed'],
  'problem.fewNoneExamples': ['count', 'needed'],
  'problem.offTopicLikeTopic': ['topic'],
  'problem.examplesMissing': [],
  'problem.glossaryMissing': [],
  'problem.notYaml': ['reason'],
  'problem.notYamlAt': ['line', 'reads', 'reason'],
  'problem.yamlListOpen': [],
  'problem.yamlGroupOpen': [],
  'problem.yamlIndent': [],
  'problem.yamlTab': [],
  'problem.yamlTwice': [],
  'problem.yamlColon': [],
  'problem.yamlNoQuote': [],
  'problem.yamlNoColon': [],
  'problem.yamlClosing': [],
  'problem.yamlReserved': [],
  'problem.yamlBackslash': [],
  'problem.yamlDoesNotFit': [],
  'problem.yamlUnreadable': [],
  'problem.scriptNoButton': ['click', 'offered'],
  'problem.scriptNothing': [],
  'problem.scriptTwoTitles': ['title'],
  'problem.scriptShouldBe': ['got', 'name', 'want'],
  'problem.scriptShouldSay': ['key', 'said'],
  'problem.scriptShouldNotSay': ['key', 'said'],
  'problem.scriptShouldNotOffer': ['key'],
  'problem.scriptShouldOffer': ['key', 'offered'],
  'problem.takenFor': ['message', 'topic'],
  'problem.textMissingIn': ['files', 'key'],
  'diff.topicAdded': ['count'],
  'diff.topicRemoved': ['count'],
  'diff.examplesAdded': ['count', 'examples'],
  'diff.examplesRemoved': ['count', 'examples'],
  'diff.examplesChanged': ['added', 'addedExamples', 'removed', 'removedExamples'],
  'diff.notLoading': [],
  'diff.added': [],
  'diff.removed': [],
  'diff.fieldsChanged': ['fields'],
  'diff.valueChanged': ['after', 'before'],
  'diff.fileAdded': [],
  'diff.fileRemoved': [],
  'diff.layoutChanged': [],
  'diff.saysAdded': ['keys'],
  'diff.saysRemoved': ['keys'],
  'diff.saysReordered': ['keys'],
  'diff.promptAdded': ['key'],
  'diff.promptRemoved': ['key'],
  'diff.promptChanged': ['after', 'before'],
  'version.firstFiles': [],
  'version.fromFiles': [],
  'version.restored': ['version'],
} as const satisfies Record<string, readonly string[]>;

export type StudioWord = keyof typeof STUDIO_WORDS;
export type WordValues = Record<string, string | number>;
/**
 * What goes into a placeholder: a value, more of the studio's words (a list is said with "; " between), or
 * languages, said by their names in the reader's language ("French, German").
 */
export type SaidValue = string | number | Said | readonly Said[] | LanguagesSaid;
export type SaidValues = Record<string, SaidValue>;

/** Something the studio says: which text, and what goes into its placeholders. */
export interface Said {
  key: StudioWord;
  values?: SaidValues;
}

export function said(key: StudioWord, values?: SaidValues): Said {
  return values ? { key, values } : { key };
}

/** Languages named in a studio text: `said('problem.newTextLanguages', { languages: languagesSaid(['fr']) })`. */
export interface LanguagesSaid {
  languages: readonly Language[];
}

export function languagesSaid(languages: readonly Language[]): LanguagesSaid {
  return { languages };
}

/** The full keys of the studio's own words, as the content check requires them in every language. */
export const STUDIO_WORD_KEYS: readonly string[] = Object.keys(STUDIO_WORDS).map(
  (key) => `${STUDIO_WORDS_PREFIX}${key}`,
);

/** The placeholders a studio word's text may use; undefined for any other text. */
export function studioWordPlaceholders(id: string): readonly string[] | undefined {
  if (!id.startsWith(STUDIO_WORDS_PREFIX)) return undefined;
  const key = id.slice(STUDIO_WORDS_PREFIX.length).replace(/_(zero|one|two|few|many|other)$/, '');
  return (STUDIO_WORDS as Record<string, readonly string[]>)[key];
}

/** The key and its values in plain words, for when the text itself cannot be read (a broken locale file). */
export function plainSaid({ key, values }: Said): string {
  const filled = Object.entries(filledIn(values, plainSaid, (language) => language)).map(
    ([name, value]) => `${name}: ${value}`,
  );
  return filled.length ? `${key} (${filled.join(', ')})` : key;
}

/** The values with the words and languages among them said first, so a text's placeholders get plain values. */
function filledIn(
  values: SaidValues | undefined,
  say: (words: Said) => string,
  nameOf: (language: Language) => string,
): WordValues {
  const plain = (value: SaidValue): string | number =>
    typeof value !== 'object'
      ? value
      : isList(value)
        ? value.map(say).join('; ')
        : 'languages' in value
          ? value.languages.map(nameOf).join(', ')
          : say(value);
  return Object.fromEntries(Object.entries(values ?? {}).map(([name, value]) => [name, plain(value)]));
}

function isList(value: Said | readonly Said[] | LanguagesSaid): value is readonly Said[] {
  return Array.isArray(value);
}

/**
 * The words in one language: `translate` looks the full key up with the values (i18next), and when it finds no
 * text (it answers the key, nothing or fails) the key and its values are said plainly instead.
 */
export function sayIn(translate: (key: string, values: WordValues) => string | undefined, words: Said): string {
  const full = `${STUDIO_WORDS_PREFIX}${words.key}`;
  let text: string | undefined;
  try {
    text = translate(
      full,
      filledIn(
        words.values,
        (inner) => sayIn(translate, inner),
        (language) => {
          const name = translate(`${LANGUAGE_NAMES}${language}`, {});
          return name && !name.endsWith(`languages.${language}`) ? name : language;
        },
      ),
    );
  } catch {
    text = undefined;
  }
  return !text || text === full || text.endsWith(words.key) ? plainSaid(words) : text;
}

/** A text with its {{placeholders}} filled, as i18next fills them (for where no i18next instance is at hand). */
export function fillIn(text: string, values: WordValues): string {
  return text.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name: string) =>
    values[name] === undefined ? whole : String(values[name]),
  );
}
