import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import type { i18n } from 'i18next';
import { z } from 'zod';
import { optionalText } from '../../src/config';
import { isFormNode } from '../../src/content/dialogSchema';
import type { Content } from '../../src/content/loadContent';
import { DEFAULT_LANGUAGE, LANGUAGES, type Language } from '../../src/dialog/languages';

/**
 * The manifest with placeholders: `${{SETTING}}` from the environment, `{{teams:key}}` texts,
 * `{{command:name}}` commands.
 */
export const TEMPLATE_FILE = path.join('teams', 'manifest.template.json');
export const LOCALIZATION_SCHEMA_URL =
  'https://developer.microsoft.com/json-schemas/teams/v1.30/MicrosoftTeams.Localization.schema.json';

const GUID = /^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$/;
const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;
const EXAMPLE_GUID = '6d7c2f4e-1b0a-4c1e-9a53-2f8d0b7e4a11';

const required = (why: string) => optionalText.pipe(z.string({ error: `is required: ${why}` }));
const guid = (what: string) => z.string().regex(GUID, `must be ${what}, a GUID such as ${EXAMPLE_GUID}`);
const httpsUrl = z.url({ protocol: /^https$/, error: 'must be a full https:// address' });

const environment = z.object({
  MicrosoftAppId: required("the Azure Bot registration's app id, which Teams uses as the bot's id").pipe(
    guid("the Azure Bot registration's app id"),
  ),
  TEAMS_APP_ID: optionalText.pipe(guid('the Teams app id').optional()),
  TEAMS_APP_VERSION: optionalText.pipe(
    z.string().regex(SEMVER, 'must be a version such as 1.4.0 (three numbers)').optional(),
  ),
  TEAMS_DEVELOPER_NAME: required("the name Teams shows as the app's publisher").pipe(
    z.string().max(32, 'must be at most 32 characters long'),
  ),
  TEAMS_WEBSITE_URL: optionalText.pipe(httpsUrl.optional()),
  TEAMS_PRIVACY_URL: required('the address of your privacy statement').pipe(httpsUrl),
  TEAMS_TERMS_URL: required('the address of your terms of use').pipe(httpsUrl),
  BOT_PUBLIC_URL: optionalText.pipe(httpsUrl.optional()),
});

/** The values the template's `${{…}}` placeholders take; undefined drops the item from its list. */
export type TeamsSettings = Record<string, string | undefined>;

/** The environment does not give what the package needs; `problems` names each variable and what is wrong. */
export class TeamsSettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(`The Teams app package cannot be built:\n${problems.map((problem) => `  ${problem}`).join('\n')}`);
    this.name = 'TeamsSettingsError';
  }
}

/** Reads the package's settings from the environment, or throws naming every variable that is missing or wrong. */
export function teamsSettings(env: NodeJS.ProcessEnv, packageVersion: string): TeamsSettings {
  const parsed = environment.safeParse(env);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => `${String(issue.path[0])} ${issue.message}`);
  // The bot's own site (the support page it serves) is a fair website when none is given.
  if (!env.TEAMS_WEBSITE_URL?.trim() && !env.BOT_PUBLIC_URL?.trim()) {
    problems.push(
      "TEAMS_WEBSITE_URL is required (or BOT_PUBLIC_URL): the website Teams links to as the app's support page",
    );
  }
  if (!parsed.success || problems.length > 0) throw new TeamsSettingsError(problems);
  const values = parsed.data;
  const website = values.TEAMS_WEBSITE_URL ?? new URL(values.BOT_PUBLIC_URL!).origin;
  return {
    MicrosoftAppId: values.MicrosoftAppId,
    TEAMS_APP_ID: values.TEAMS_APP_ID ?? values.MicrosoftAppId,
    TEAMS_APP_VERSION: values.TEAMS_APP_VERSION ?? packageVersion,
    TEAMS_DEVELOPER_NAME: values.TEAMS_DEVELOPER_NAME,
    TEAMS_WEBSITE_URL: website,
    TEAMS_PRIVACY_URL: values.TEAMS_PRIVACY_URL,
    TEAMS_TERMS_URL: values.TEAMS_TERMS_URL,
    BOT_PUBLIC_HOST: values.BOT_PUBLIC_URL ? new URL(values.BOT_PUBLIC_URL).host : undefined,
  };
}

export interface Localization {
  language: Language;
  /** The file's name at the package's root. */
  file: string;
  content: Record<string, string>;
}

export interface TeamsApp {
  manifest: Record<string, unknown>;
  localizations: Localization[];
  /**
   * Where each filled-in value came from, by file and JSON pointer ("manifest.json/developer/name"),
   * for error messages.
   */
  origins: Map<string, string>;
}

export function readTemplate(root: string): unknown {
  return JSON.parse(readFileSync(path.join(root, TEMPLATE_FILE), 'utf8'));
}

const SETTING = /^\$\{\{(\w+)\}\}$/;
const TEXT = /^\{\{(teams:[\w.]+|command:\w+|menu:[\w.:]+)\}\}$/;
/** The title of a command list's item that stands for the main menu's topics, one command each. */
const MENU = '{{menu}}';

/**
 * The manifest in the default language with the settings filled in, and one localization file per other
 * language holding that language's text for every text placeholder, keyed as Teams expects ("name.short",
 * "bots[0].commandLists[0].commands[1].title"). `menu` is the text keys of the main menu's topics: a command
 * titled `"{{menu}}"` stands for one command per topic, so Teams offers the menu's own words.
 */
export function buildTeamsApp(
  template: unknown,
  settings: TeamsSettings,
  texts: i18n,
  menu: readonly string[],
): TeamsApp {
  const origins = new Map<string, string>();
  const others = LANGUAGES.filter((language) => language !== DEFAULT_LANGUAGE);
  const localized = new Map<Language, Record<string, string>>(
    others.map((language) => [language, { $schema: LOCALIZATION_SCHEMA_URL }]),
  );

  const text = (placeholder: string, pointer: string, localizationKey: string): string => {
    const [kind, name] = placeholder.split(/:(.*)/) as [string, string];
    const key =
      kind === 'command'
        ? `common:commands.${name}`
        : kind === 'menu'
          ? name.includes(':')
            ? name
            : `helpdesk:${name}`
          : placeholder;
    const source = (language: Language) => `the text "${key}" in locales/${language}/${key.split(':')[0]}.json`;
    const read = (language: Language) => {
      if (!texts.exists(key, { lng: language }))
        throw new Error(`${TEMPLATE_FILE}: ${pointer} needs ${source(language)}, which is missing`);
      const value = texts.getFixedT(language)(key);
      // A command's title is the first of the words the bot understands for it.
      return kind === 'command' ? value.split('|')[0]!.trim() : value;
    };
    for (const language of others) {
      localized.get(language)![localizationKey] = read(language);
      origins.set(`${language}.json/${localizationKey}`, source(language));
    }
    origins.set(`manifest.json${pointer}`, source(DEFAULT_LANGUAGE));
    return read(DEFAULT_LANGUAGE);
  };

  const fill = (node: unknown, pointer: string, localizationKey: string): unknown => {
    if (Array.isArray(node)) {
      return node
        .flatMap((item) => (isMenuItem(item) ? menu.map((label) => ({ ...item, title: `{{menu:${label}}}` })) : [item]))
        .map((item, index) => fill(item, `${pointer}/${index}`, `${localizationKey}[${index}]`))
        .filter((item) => item !== undefined);
    }
    if (node && typeof node === 'object') {
      return Object.fromEntries(
        Object.entries(node).map(([name, value]) => [
          name,
          fill(value, `${pointer}/${name}`, localizationKey ? `${localizationKey}.${name}` : name),
        ]),
      );
    }
    if (typeof node !== 'string') return node;
    const setting = SETTING.exec(node)?.[1];
    if (setting) {
      if (!(setting in settings)) {
        const known = Object.keys(settings).join(', ');
        throw new Error(`${TEMPLATE_FILE}: ${pointer} uses \${{${setting}}}, which is not a setting; known: ${known}`);
      }
      origins.set(`manifest.json${pointer}`, setting);
      return settings[setting];
    }
    const placeholder = TEXT.exec(node)?.[1];
    if (placeholder) return text(placeholder, pointer, localizationKey);
    if (node.includes('{{'))
      throw new Error(`${TEMPLATE_FILE}: ${pointer} has a placeholder that is not the whole text: "${node}"`);
    return node;
  };

  const manifest = fill(template, '', '') as Record<string, unknown>;
  const localizations = others.map((language) => ({
    language,
    file: `${language}.json`,
    content: localized.get(language)!,
  }));
  manifest.localizationInfo = {
    ...(manifest.localizationInfo as object),
    additionalLanguages: localizations.map(({ language, file }) => ({ languageTag: language, file })),
  };
  return { manifest, localizations, origins };
}

function isMenuItem(item: unknown): item is Record<string, unknown> {
  return Boolean(item) && typeof item === 'object' && (item as { title?: unknown }).title === MENU;
}

/** The text keys of the main menu's topics, for the command lists' `"{{menu}}"` item. */
export function menuTopics(content: Content): string[] {
  const start = content.dialog.nodes[content.dialog.start];
  return start && !isFormNode(start) ? start.choices.map((choice) => choice.label) : [];
}

let validators: { manifest: ValidateFunction; localization: ValidateFunction } | undefined;

/** The v1.30 schemas as published with Microsoft's manifest tooling (draft-04 JSON Schema). */
function schemaValidators() {
  if (validators) return validators;
  const folder = path.join(
    path.dirname(require.resolve('@microsoft/app-manifest/package.json')),
    'build',
    'json-schemas',
    'teams',
    'v1.30',
  );
  // Not strict: the schemas use keywords of later drafts; not unicode: one of their patterns is only valid without it.
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats(ajv);
  const load = (file: string) => ajv.compile(JSON.parse(readFileSync(path.join(folder, file), 'utf8')) as object);
  validators = {
    manifest: load('MicrosoftTeams.schema.json'),
    localization: load('MicrosoftTeams.Localization.schema.json'),
  };
  return validators;
}

/**
 * Checks the manifest and each localization file against the v1.30 schemas; one line per problem,
 * naming its source.
 */
export function validateTeamsApp(app: TeamsApp): string[] {
  const { manifest, localization } = schemaValidators();
  const files: Array<[string, unknown, ValidateFunction]> = [
    ['manifest.json', app.manifest, manifest],
    ...app.localizations.map(({ file, content }): [string, unknown, ValidateFunction] => [file, content, localization]),
  ];
  const problems: string[] = [];
  for (const [file, json, validate] of files) {
    if (validate(json)) continue;
    for (const error of validate.errors ?? []) {
      const where = `${file}${error.instancePath}`;
      const extra =
        error.keyword === 'additionalProperties'
          ? ` ("${(error.params as { additionalProperty: string }).additionalProperty}")`
          : '';
      const origin = app.origins.get(where);
      problems.push(`${where || file}: ${error.message}${extra}${origin ? ` — from ${origin}` : ''}`);
    }
  }
  return problems;
}
