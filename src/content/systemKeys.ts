import { LANGUAGES } from './languages';

/** Texts the bot itself uses (not named in the dialog file); each must exist in every language. */
export const COMMANDS = ['back', 'menu', 'restart', 'help', 'repeat'] as const;
export type Command = (typeof COMMANDS)[number];

export const NOTICES = {
  welcome: 'common:welcome',
  help: 'common:help',
  notUnderstood: 'common:notUnderstood',
  choicesAgain: 'common:choicesAgain',
  empty: 'common:empty',
  attachment: 'common:attachment',
  tooLong: 'common:tooLong',
  staleButton: 'common:staleButton',
  nothingToGoBack: 'common:nothingToGoBack',
  restarted: 'common:restarted',
  cancelled: 'common:cancelled',
  turnError: 'common:turnError',
  unavailable: 'common:unavailable',
  privateOnly: 'common:privateOnly',
  languageChanged: 'common:language.changed',
  languageOffer: 'common:language.offer',
  greeting: 'common:understanding.greeting',
  didYouMean: 'common:understanding.didYouMean',
  stuck: 'common:understanding.stuck',
  noProblem: 'common:understanding.noProblem',
  onHold: 'common:understanding.onHold',
  resumed: 'common:understanding.resumed',
  languageSwitched: 'common:understanding.languageSwitched',
  unsupportedLanguage: 'common:understanding.unsupportedLanguage',
} as const;

export const BUTTONS = {
  back: 'common:choice.back',
  menu: 'common:choice.menu',
  cancel: 'common:choice.cancel',
  tryAgain: 'common:choice.tryAgain',
} as const;

/** The web chat page's own words (its title, header and language switcher). */
export const WEB_KEYS = ['title', 'heading', 'subtitle', 'language', 'connecting', 'failed', 'retry', 'chatLabel'] as const;

/** The commands Teams lists in its command menu for the bot (titles from common:commands, hints from teams.json). */
export const TEAMS_COMMANDS = ['menu', 'help', 'restart'] as const satisfies readonly Command[];

/** Texts of the Teams app package (npm run teams:package): the app's name and descriptions, and the command hints. */
export const TEAMS_APP_KEYS = {
  shortName: 'teams:name.short',
  fullName: 'teams:name.full',
  shortDescription: 'teams:description.short',
  fullDescription: 'teams:description.full',
  command: (command: (typeof TEAMS_COMMANDS)[number]) => `teams:command.${command}`,
} as const;

export const SYSTEM_KEYS: readonly string[] = [
  ...WEB_KEYS.map((key) => `web:${key}`),
  ...Object.values(NOTICES),
  ...Object.values(BUTTONS),
  'common:language.name',
  ...LANGUAGES.map((language) => `common:languages.${language}`),
  ...COMMANDS.map((command) => `common:commands.${command}`),
  TEAMS_APP_KEYS.shortName,
  TEAMS_APP_KEYS.fullName,
  TEAMS_APP_KEYS.shortDescription,
  TEAMS_APP_KEYS.fullDescription,
  ...TEAMS_COMMANDS.map(TEAMS_APP_KEYS.command),
];
