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
  /** A publish removed the step the conversation was in: it is back at the menu. */
  stepGone: 'common:stepGone',
  nothingToGoBack: 'common:nothingToGoBack',
  restarted: 'common:restarted',
  cancelled: 'common:cancelled',
  turnError: 'common:turnError',
  unavailable: 'common:unavailable',
  privateOnly: 'common:privateOnly',
  secretAgain: 'common:secretAgain',
  languageChanged: 'common:language.changed',
  languageOffer: 'common:language.offer',
  greeting: 'common:understanding.greeting',
  noProblem: 'common:understanding.noProblem',
  didYouMean: 'common:understanding.didYouMean',
  stuck: 'common:understanding.stuck',
  onHold: 'common:understanding.onHold',
  resumed: 'common:understanding.resumed',
  languageSwitched: 'common:understanding.languageSwitched',
  unsupportedLanguage: 'common:understanding.unsupportedLanguage',
} as const;

/**
 * Variants of a text the bot picks by itself: `_inMinutes` when the user's time zone is unknown, so a time is
 * said as "in N minutes" rather than as a clock time in another zone.
 */
export const TEXT_VARIANTS = ['inMinutes'] as const;
export type TextVariant = (typeof TEXT_VARIANTS)[number];

export const BUTTONS = {
  back: 'common:choice.back',
  menu: 'common:choice.menu',
  cancel: 'common:choice.cancel',
  tryAgain: 'common:choice.tryAgain',
  /** "It works now": the steps it leads to are where a problem ends solved (insights count them). */
  solved: 'common:choice.solved',
} as const;

/** The web chat page's own words (its title, header and language switcher). */
export const WEB_KEYS = [
  'title',
  'heading',
  'subtitle',
  'language',
  'connecting',
  'failed',
  'retry',
  'unavailable',
  'slowDown',
  'reconnecting',
  'restarted',
  'busy',
  'chatLabel',
] as const;

/** The launcher button another site shows with /webchat/embed.js. */
export const EMBED_KEYS = ['open', 'close'] as const;

/** The studio's words for signing in with an OpenID provider: its button, and the page that says why not. */
export const STUDIO_SIGN_IN_KEYS = [
  'studio.signInWith',
  'studio.refused.title',
  'studio.refused.noRole',
  'studio.refused.denied',
  'studio.refused.expired',
  'studio.refused.failed',
  'studio.refused.unavailable',
  'studio.refused.tooMany',
  'studio.refused.back',
] as const;

/**
 * The studio page's own words (web:studio.page.*), served by GET /studio/api/page-texts and said in
 * web/studio/*.js through studioText('…') or in index.html through data-text="…".
 */
export const STUDIO_PAGE_PREFIX = 'web:studio.page.';
export const STUDIO_PAGE_KEYS = [
  'title',
  'pageLanguage',
  'views',
  'viewContent',
  'viewInsights',
  'signOut',
  'who',
  'rolePublisher',
  'roleEditor',
  'unexpected',
  'sessionEnded',
  'signIn.title',
  'signIn.email',
  'signIn.password',
  'signIn.submit',
  'signIn.missing',
  'signIn.failed',
  'signIn.signedOut',
  'steps.title',
  'steps.hint',
  'steps.typed',
  'editor.title',
  'editor.hint',
  'editor.step',
  'editor.noTexts',
  'editor.text',
  'editor.label',
  'editor.missing',
  'editor.sameAsEnglish',
  'editor.muchLonger',
  'editor.placeholders',
  'editor.noPlaceholders',
  'editor.save',
  'editor.saved',
  'editor.conflict',
  'editor.useTheirs',
  'editor.keepMine',
  'editor.theirsKept',
  'editor.theirText',
  'editor.yourText',
  'editor.notSavedBecause',
  'editor.notSaved',
  'publish.title',
  'publish.hint',
  'publish.onlyPublishers',
  'publish.message',
  'publish.button',
  'publish.checking',
  'publish.published',
  'publish.fixFirst',
  'publish.failed',
  'versions.title',
  'versions.version',
  'versions.details',
  'versions.restore',
  'versions.restored',
  'try.title',
  'try.label',
  'try.button',
  'try.again',
  'try.language',
  'try.understood',
  'try.didYouMean',
  'try.topic',
  'try.command',
  'try.nothing',
  'try.otherLanguage',
  'preview.title',
  'preview.language',
  'preview.start',
  'preview.log',
  'preview.message',
  'preview.send',
  'preview.you',
  'preview.noAnswer',
  'preview.buttons',
  'preview.trace',
  'preview.traceUnderstood',
  'insights.title',
  'insights.hint',
  'insights.from',
  'insights.to',
  'insights.show',
  'insights.badRange',
  'insights.loading',
  'insights.failed',
  'insights.summary',
  'insights.nothingYet',
  'insights.download',
  'insights.perDay',
  'insights.perDayByLanguage',
  'insights.perDayByChannel',
  'insights.outcomes',
  'insights.outcomesChart',
  'insights.shareOfConversations',
  'insights.topics',
  'insights.topicsChart',
  'insights.funnel',
  'insights.funnelChart',
  'insights.stops',
  'insights.stopsChart',
  'insights.abandonedHere',
  'insights.understanding',
  'insights.understandingChart',
  'insights.understandingTable',
  'insights.column.day',
  'insights.column.conversations',
  'insights.column.outcome',
  'insights.column.share',
  'insights.column.language',
  'insights.column.topic',
  'insights.column.step',
  'insights.column.abandonedThere',
  'insights.outcome.solved',
  'insights.outcome.helpdeskRequests',
  'insights.outcome.resetsRequested',
  'insights.outcome.handovers',
  'insights.outcome.abandoned',
  'insights.outcome.lockChecks',
  'insights.outcome.offTopic',
  'insights.reading.buttons',
  'insights.reading.understood',
  'insights.reading.clarified',
  'insights.reading.notUnderstood',
  'insights.stage.entered',
  'insights.stage.answered',
  'insights.stage.solved',
  'insights.stage.escalated',
  'inbox.title',
  'inbox.hint',
  'inbox.empty',
  'inbox.failed',
  'inbox.teach',
  'inbox.taught',
  'inbox.offTopic',
  'inbox.markedOffTopic',
  'inbox.dismiss',
  'inbox.dismissed',
  'inbox.seen',
  'inbox.topicLabel',
  'inbox.otherLanguage',
  'inbox.otherLanguageHint',
] as const;

/** What the studio page puts into its own words (web:studio.page.*), and nowhere else. */
export const STUDIO_PAGE_PLACEHOLDERS = [
  'author',
  'buttons',
  'caption',
  'count',
  'email',
  'from',
  'key',
  'language',
  'message',
  'name',
  'others',
  'placeholders',
  'problems',
  'restored',
  'role',
  'step',
  'sure',
  'text',
  'time',
  'to',
  'topic',
  'understood',
  'version',
] as const;

/**
 * The Teams app's words in its store listing and command menu (teams/manifest.template.json,
 * npm run teams:package).
 */
export const TEAMS_KEYS = [
  'name.short',
  'name.full',
  'description.short',
  'description.full',
  'command.menu',
  'command.help',
  'command.restart',
  'command.topic',
] as const;

/**
 * The words the bot's Teams cards add to the dialog's own: the button to the private chat, the warning about
 * numbers typed in a shared chat, the button that shows further choices, the summary's one for changes, and
 * the button that opens a link ("Open {{site}}").
 */
export const TEAMS_CHAT_KEYS = [
  'chat.openPrivate',
  'chat.sharedSecret',
  'chat.more',
  'chat.change',
  'chat.open',
] as const;

export const SYSTEM_KEYS: readonly string[] = [
  ...[...WEB_KEYS, ...EMBED_KEYS, ...STUDIO_SIGN_IN_KEYS].map((key) => `web:${key}`),
  ...STUDIO_PAGE_KEYS.map((key) => `${STUDIO_PAGE_PREFIX}${key}`),
  ...Object.values(NOTICES),
  ...Object.values(BUTTONS),
  'common:language.name',
  ...LANGUAGES.map((language) => `common:languages.${language}`),
  ...COMMANDS.map((command) => `common:commands.${command}`),
  ...[...TEAMS_KEYS, ...TEAMS_CHAT_KEYS].map((key) => `teams:${key}`),
];
