import type { TeamsManifestV1D30 } from '@microsoft/app-manifest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { createTranslator } from '../../src/content/i18n';
import { isFormNode } from '../../src/content/dialogSchema';
import { loadContent } from '../../src/content/loadContent';
import { LANGUAGES, type Language } from '../../src/dialog/languages';
import { TEAMS_KEYS } from '../../src/dialog/systemKeys';
import {
  buildTeamsApp,
  menuTopics,
  readTemplate,
  TEMPLATE_FILE,
  TeamsSettingsError,
  teamsSettings,
  validateTeamsApp,
  type TeamsApp,
} from '../../tools/teams/manifest';
import { Chat, content, contentCopy, engine, ROOT } from '../support/helpers';

/** A bot in the manifest, as the Teams v1.30 schema has it. */
type Bot = TeamsManifestV1D30.Bot;

const BOT_ID = '6d7c2f4e-1b0a-4c1e-9a53-2f8d0b7e4a11';
const ENV = {
  MicrosoftAppId: BOT_ID,
  TEAMS_DEVELOPER_NAME: 'Example Exams Board',
  TEAMS_WEBSITE_URL: 'https://www.example.org/results',
  TEAMS_PRIVACY_URL: 'https://www.example.org/privacy',
  TEAMS_TERMS_URL: 'https://www.example.org/terms',
  BOT_PUBLIC_URL: 'https://helpdesk.example.org/',
};
const PACKAGE_VERSION = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string })
  .version;
const SCHEMAS = path.join(
  ROOT,
  'node_modules',
  '@microsoft',
  'app-manifest',
  'build',
  'json-schemas',
  'teams',
  'v1.30',
);

/** The published v1.30 schemas, compiled here independently of the packaging code. */
function schema(file: string) {
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats(ajv);
  return ajv.compile(JSON.parse(readFileSync(path.join(SCHEMAS, file), 'utf8')) as object);
}
const manifestSchema = schema('MicrosoftTeams.schema.json');
const localizationSchema = schema('MicrosoftTeams.Localization.schema.json');

function build(env: Record<string, string> = ENV, texts = createTranslator(content())): TeamsApp {
  return buildTeamsApp(readTemplate(ROOT), teamsSettings(env, PACKAGE_VERSION), texts, menuTopics(content()));
}

function settingsProblems(env: Record<string, string>): string[] {
  try {
    teamsSettings(env, PACKAGE_VERSION);
  } catch (error) {
    if (error instanceof TeamsSettingsError) return error.problems;
    throw error;
  }
  return [];
}

describe('the Teams app manifest', () => {
  it('built from the environment, validates against the v1.30 schema, and so does each localization file', () => {
    const app = build();
    expect(manifestSchema(app.manifest) ? [] : manifestSchema.errors).toEqual([]);
    expect(app.localizations.map((each) => each.file)).toEqual(['es.json', 'it.json', 'fr.json', 'de.json']);
    for (const { content: texts } of app.localizations)
      expect(localizationSchema(texts) ? [] : localizationSchema.errors).toEqual([]);
    expect(validateTeamsApp(app)).toEqual([]);
  });

  it('carries the bot id, app id and version, the three scopes, the developer and the bot host as configured', () => {
    const { manifest } = build({
      ...ENV,
      TEAMS_APP_ID: '0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9',
      TEAMS_APP_VERSION: '2.3.4',
    });
    expect(manifest).toMatchObject({
      $schema: 'https://developer.microsoft.com/json-schemas/teams/v1.30/MicrosoftTeams.schema.json',
      manifestVersion: '1.30',
      id: '0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9',
      version: '2.3.4',
      developer: {
        name: 'Example Exams Board',
        websiteUrl: ENV.TEAMS_WEBSITE_URL,
        privacyUrl: ENV.TEAMS_PRIVACY_URL,
        termsOfUseUrl: ENV.TEAMS_TERMS_URL,
      },
      icons: { color: 'color.png', outline: 'outline.png' },
      validDomains: ['helpdesk.example.org'],
      localizationInfo: {
        defaultLanguageTag: 'en',
        additionalLanguages: ['es', 'it', 'fr', 'de'].map((tag) => ({ languageTag: tag, file: `${tag}.json` })),
      },
    });
    expect(manifest.accentColor).toMatch(/^#[0-9A-F]{6}$/i);
    const bot = (manifest.bots as Bot[])[0]!;
    expect(bot.botId).toBe(BOT_ID);
    expect(bot.scopes).toEqual(['personal', 'team', 'groupChat']);
    expect(bot.commandLists!.map((list) => list.scopes)).toEqual([['personal'], ['team', 'groupChat']]);
  });

  it('defaults app id to bot id, version to package version, website to bot host; lists no domain without one', () => {
    const { TEAMS_WEBSITE_URL, BOT_PUBLIC_URL, ...rest } = ENV;
    const withHost = build({ ...rest, BOT_PUBLIC_URL });
    expect(withHost.manifest).toMatchObject({
      id: BOT_ID,
      version: PACKAGE_VERSION,
      developer: { websiteUrl: 'https://helpdesk.example.org' },
    });
    const withoutHost = build({ ...rest, TEAMS_WEBSITE_URL });
    expect(withoutHost.manifest.validDomains).toEqual([]);
    expect(manifestSchema(withoutHost.manifest)).toBe(true);
  });

  it('names each variable that is missing or wrong', () => {
    expect(settingsProblems({})).toEqual([
      "MicrosoftAppId is required: the Azure Bot registration's app id, which Teams uses as the bot's id",
      "TEAMS_DEVELOPER_NAME is required: the name Teams shows as the app's publisher",
      'TEAMS_PRIVACY_URL is required: the address of your privacy statement',
      'TEAMS_TERMS_URL is required: the address of your terms of use',
      "TEAMS_WEBSITE_URL is required (or BOT_PUBLIC_URL): the website Teams links to as the app's support page",
    ]);
    const wrong = settingsProblems({
      ...ENV,
      MicrosoftAppId: 'my-bot',
      TEAMS_APP_VERSION: '1.0',
      TEAMS_PRIVACY_URL: 'http://www.example.org/privacy',
      TEAMS_DEVELOPER_NAME: 'x'.repeat(33),
    });
    expect(wrong).toEqual([
      `MicrosoftAppId must be the Azure Bot registration's app id, a GUID such as ${BOT_ID}`,
      'TEAMS_APP_VERSION must be a version such as 1.4.0 (three numbers)',
      'TEAMS_DEVELOPER_NAME must be at most 32 characters long',
      'TEAMS_PRIVACY_URL must be a full https:// address',
    ]);
  });

  it('shows the app name, descriptions and commands in all five languages, as written in locales/*/teams.json', () => {
    const app = build();
    const teams = (language: Language) =>
      JSON.parse(readFileSync(path.join(ROOT, 'locales', language, 'teams.json'), 'utf8')) as {
        name: { short: string; full: string };
        description: { short: string };
      };
    expect(app.manifest.name).toEqual(teams('en').name);
    for (const { language, content: texts } of app.localizations) {
      expect(texts['name.short']).toBe(teams(language).name.short);
      expect(texts['description.short']).toBe(teams(language).description.short);
      expect(texts['name.short']).not.toBe(teams('en').name.short);
    }
    // Every text placeholder of the template is a Teams text the content check knows, and each is used.
    const placeholders = [
      ...readFileSync(path.join(ROOT, TEMPLATE_FILE), 'utf8').matchAll(/\{\{teams:([\w.]+)\}\}/g),
    ].map((match) => match[1]);
    expect(new Set(placeholders)).toEqual(new Set(TEAMS_KEYS));
  });

  it("lists the menu's topics as the app's commands, in the menu's words and order, in every language", async () => {
    const app = build();
    const { nodes, start } = content().dialog;
    const menu = nodes[start]!;
    if (isFormNode(menu)) throw new Error('The start is a form');
    const t = createTranslator(content());
    for (const [index, list] of (app.manifest.bots as Bot[])[0]!.commandLists!.entries()) {
      for (const language of LANGUAGES) {
        const localized = app.localizations.find((each) => each.language === language)?.content;
        const titles = list.commands.map((command, at) =>
          localized ? localized[`bots[0].commandLists[${index}].commands[${at}].title`] : command.title,
        );
        const topics = menu.choices.map((choice) => t.getFixedT(language)(choice.label));
        expect(titles.slice(0, topics.length)).toEqual(topics);
      }
      // Typing one, as Teams sends a chosen command, opens its topic wherever the chat is.
      for (const language of LANGUAGES) {
        const localized = app.localizations.find((each) => each.language === language)?.content;
        for (const [at, choice] of menu.choices.entries()) {
          const title = localized
            ? localized[`bots[0].commandLists[${index}].commands[${at}].title`]!
            : list.commands[at]!.title;
          const chat = new Chat(engine(), `${language}-XX`);
          await chat.open();
          await chat.choose('lockout');
          const reply = await chat.say(title);
          const target = nodes[choice.goto]!;
          expect({ title, topic: reply.trace.topic }).toEqual({ title, topic: target.topic });
        }
      }
    }
  });

  it('offers commands in the command menu that the bot understands, in every language', async () => {
    const app = build();
    const { nodes, start } = content().dialog;
    const topics = (nodes[start] as { choices: unknown[] }).choices.length;
    const titles = (texts: Record<string, string>) =>
      Object.entries(texts)
        .filter(([key]) => key.startsWith('bots[0].commandLists[0].'))
        .filter(([key]) => key.endsWith('.title'))
        .map(([, title]) => title);
    const english = (app.manifest.bots as Bot[])[0]!.commandLists![0]!.commands.map((command) => command.title);
    const byLanguage: Array<[Language, string[]]> = [
      ['en', english],
      ...app.localizations.map(({ language, content: texts }): [Language, string[]] => [language, titles(texts)]),
    ];
    expect(byLanguage.map(([language]) => language)).toEqual([...LANGUAGES]);
    for (const [language, [menu, help, restart]] of byLanguage.map(([language, all]): [Language, string[]] => [
      language,
      all.slice(topics),
    ])) {
      const chat = new Chat(engine(), `${language}-XX`);
      await chat.open();
      await chat.choose('lockout');
      expect((await chat.say(menu!)).trace.state).toBe('menu');
      expect((await chat.say(help!)).said).toContain('common:help');
      expect((await chat.say(restart!)).said).toContain('common:restarted');
    }
  });

  it('refuses a text too long for Teams, naming the file and the text to shorten', () => {
    const copy = contentCopy();
    copy.edit(path.join('locales', 'es', 'teams.json'), (text) =>
      text.replace('"Ayuda con resultados"', '"Servicio de ayuda con los resultados de examen"'),
    );
    const app = build(ENV, createTranslator(loadContent(copy.root)));
    expect(validateTeamsApp(app)).toEqual([
      'es.json/name.short: must NOT have more than 30 characters — ' +
        'from the text "teams:name.short" in locales/es/teams.json',
    ]);
  });
});
