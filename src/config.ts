import path from 'node:path';
import { z } from 'zod';
import { parseNodes, type RedisSettings } from './state/redisConnection';

/** The local Direct Line's token key in DATA_DIR, when DIRECT_LINE_TOKEN_KEY is not set and there is no Redis. */
export const TOKEN_KEY_FILE = 'direct-line-token-key';

/** The project folder: dialogs/, locales/ and demo/ live here (this file is in src/ or dist/). */
export const PROJECT_ROOT = path.resolve(__dirname, '..');

/** An environment variable that may be unset or blank (both mean: not set). */
export const optionalText = z
  .string()
  .trim()
  .transform((value) => value || undefined)
  .optional();

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3978),
  HOST: optionalText,
  ADMIN_PORT: optionalText.pipe(
    z.string().regex(/^\d+$/, 'a port number').transform(Number).pipe(z.number().max(65535)).optional(),
  ),
  SERVICE_URL_ALLOWLIST: optionalText,
  MicrosoftAppId: optionalText,
  MicrosoftAppPassword: optionalText,
  MicrosoftAppType: z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI']).default('MultiTenant'),
  MicrosoftAppTenantId: optionalText,
  CONTENT_DIR: optionalText,
  ACCOUNTS_FILE: optionalText,
  DATA_DIR: optionalText,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  CONTENT_WATCH: z.enum(['true', 'false', '1', '0', '']).default('false'),
  ACCOUNT_SERVICE_URL: optionalText.pipe(z.url({ protocol: /^https?$/ }).optional()),
  ACCOUNT_SERVICE_TOKEN: optionalText,
  REDIS_URL: optionalText,
  REDIS_SENTINELS: optionalText,
  REDIS_SENTINEL_NAME: optionalText,
  REDIS_CLUSTER_NODES: optionalText,
  CONVERSATION_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .default(24 * 3600),
  USER_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .default(90 * 24 * 3600),
  // "Production" and "PRODUCTION" count as production too.
  NODE_ENV: optionalText.transform((value) => value?.toLowerCase()),
  ALLOW_ANONYMOUS: z.enum(['true', 'false', '']).default('false'),
  DIRECT_LINE_SECRET: optionalText,
  DIRECT_LINE_TOKEN_KEY: optionalText.pipe(z.string().min(32, 'at least 32 characters').optional()),
  STATE_ENCRYPTION_KEY: optionalText.pipe(z.string().min(32, 'at least 32 characters').optional()),
  DIRECT_LINE_DOMAIN: z.url({ protocol: /^https?$/ }).default('https://directline.botframework.com/v3/directline'),
  TOKEN_BURST: z.coerce.number().int().min(1).default(60),
  TOKENS_PER_MINUTE: z.coerce.number().int().min(1).default(20),
  DIRECT_LINE_POSTS_PER_MINUTE: z.coerce.number().int().min(1).default(30),
  DIRECT_LINE_TRANSCRIPT_BYTES: z.coerce
    .number()
    .int()
    .min(64 * 1024)
    .default(256 * 1024),
  DIRECT_LINE_CONVERSATION_MAX_SECONDS: z.coerce
    .number()
    .int()
    .min(1800)
    .default(24 * 3600),
  TRUST_PROXY: z.enum(['true', 'false', '']).default('false'),
  WEB_CHAT_FRAME_ANCESTORS: z
    .string()
    .trim()
    .regex(/^[^;,\r\n]+$/, 'space-separated origins, e.g. https://support.example.org')
    .default("'self'"),
  // The bot's own process turns it on unless STUDIO=off (src/index.ts); code that builds a config itself opts in.
  STUDIO: z.enum(['on', 'off', 'true', 'false', '']).default('off'),
  STUDIO_DATA_DIR: optionalText,
  // Signing in to the studio with OpenID Connect (e.g. Microsoft Entra ID), beside the local accounts.
  STUDIO_OIDC_ISSUER: optionalText.pipe(z.url({ protocol: /^https?$/ }).optional()),
  STUDIO_OIDC_CLIENT_ID: optionalText,
  STUDIO_OIDC_CLIENT_SECRET: optionalText,
  STUDIO_OIDC_REDIRECT_URL: optionalText.pipe(z.url({ protocol: /^https?$/ }).optional()),
  STUDIO_OIDC_NAME: optionalText,
  STUDIO_OIDC_ROLE_CLAIM: optionalText,
  STUDIO_OIDC_EDITOR_ROLE: optionalText,
  STUDIO_OIDC_PUBLISHER_ROLE: optionalText,
  // Insights for the studio: counts per turn and the inbox of missed messages (see README, Privacy).
  INSIGHTS: z.enum(['on', 'off', 'true', 'false', '']).default('on'),
  INSIGHTS_INBOX: z.enum(['on', 'off', 'true', 'false', '']).default('on'),
  INSIGHTS_INBOX_DAYS: z.coerce.number().int().min(1).max(400).default(30),
  INSIGHTS_ABANDON_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .default(30 * 60),
});

export interface Config {
  port: number;
  host?: string;
  /** Set: /readyz and /metrics are served on this port only, not on the public one. */
  adminPort?: number;
  /** Without MicrosoftAppId, where replies may go besides loopback and the bot's own Direct Line. */
  serviceUrlAllowList?: string[];
  bot: {
    appId?: string;
    appPassword?: string;
    appType: 'MultiTenant' | 'SingleTenant' | 'UserAssignedMSI';
    tenantId?: string;
  };
  contentDir: string;
  accountsFile: string;
  /** What the bot keeps between runs of its own (the local Direct Line's token key); created on first start. */
  dataDir: string;
  logLevel: z.infer<typeof schema>['LOG_LEVEL'];
  /** Reload dialogs/ and locales/ when they change (npm run dev). */
  watchContent: boolean;
  /** A separately run account service; without it the reference service runs inside this process. */
  accountService?: { url: string; token: string };
  /** Conversation state, turn queue and the embedded account service's data in Redis; in memory without it. */
  redis?: RedisSettings;
  conversationTtlSeconds: number;
  userTtlSeconds: number;
  /** Encrypts a form's secret answers in the conversation state between turns; random per process when not set. */
  stateKey?: string;
  webChat: {
    /** Set: tokens come from the Direct Line service. Not set: the bot serves Direct Line itself. */
    directLineSecret?: string;
    directLineDomain: string;
    /** Signs the local Direct Line's tokens; not set: agreed through Redis, or kept in DATA_DIR without it. */
    tokenKey?: string;
    /** Chat tokens per client address: this many at once, then `tokensPerMinute` as the allowance refills. */
    tokenBurst: number;
    tokensPerMinute: number;
    /** The local Direct Line's limits per conversation: posts a minute, bytes kept, lifetime of its tokens. */
    postsPerMinute: number;
    transcriptBytes: number;
    conversationMaxSeconds: number;
    trustProxy: boolean;
    frameAncestors: string;
  };
  /** The content studio at /studio; its data in Redis when set, else in this folder. Undefined: STUDIO=off. */
  studio?: { dataDir: string; oidc?: OidcSettings };
  /** What leads see in the studio; undefined with INSIGHTS=off or without the studio. */
  insights?: { inbox: boolean; inboxDays: number; abandonSeconds: number };
}

/** Signing in to the studio with an OpenID provider; roles come from a claim of the ID token. */
export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The callback as the provider knows it: https://<public host>/studio/auth/oidc/callback. */
  redirectUrl: string;
  /** The provider's name on the button ("Sign in with Microsoft"). */
  name: string;
  /** The claim that holds the roles (Entra ID app roles: roles; groups: groups). */
  roleClaim: string;
  /** The claim values that make an editor and a publisher. */
  editorRole: string;
  publisherRole: string;
}

export const OIDC_CALLBACK_PATH = '/studio/auth/oidc/callback';

/** Loopback addresses: the only ones an OpenID provider or its callback may be reached over plain HTTP. */
export function isLoopbackUrl(url: string): boolean {
  return ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url).hostname);
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads the environment once; the error names every variable that is wrong and why. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const values = parsed.data;
  if (values.MicrosoftAppId && !values.MicrosoftAppPassword && values.MicrosoftAppType !== 'UserAssignedMSI') {
    throw new ConfigError('Invalid configuration:\n  MicrosoftAppPassword: required when MicrosoftAppId is set');
  }
  if (values.MicrosoftAppType === 'SingleTenant' && values.MicrosoftAppId && !values.MicrosoftAppTenantId) {
    throw new ConfigError(
      'Invalid configuration:\n  MicrosoftAppTenantId: required when MicrosoftAppType is SingleTenant',
    );
  }
  if (values.NODE_ENV === 'production' && !values.MicrosoftAppId && values.ALLOW_ANONYMOUS !== 'true') {
    throw new ConfigError(
      'Invalid configuration:\n  MicrosoftAppId: required when NODE_ENV=production, so only Bot Framework ' +
        'channels can call the bot (set ALLOW_ANONYMOUS=true to run without it on purpose)',
    );
  }
  if (values.ACCOUNT_SERVICE_URL && (values.ACCOUNT_SERVICE_TOKEN?.length ?? 0) < 16) {
    throw new ConfigError(
      'Invalid configuration:\n  ACCOUNT_SERVICE_TOKEN: required (at least 16 characters) ' +
        'when ACCOUNT_SERVICE_URL is set',
    );
  }
  for (const entry of values.SERVICE_URL_ALLOWLIST?.split(/[\s,]+/) ?? []) {
    const valid = entry.includes('://') ? URL.canParse(entry) && /^https?:/i.test(entry) : /^[\w.-]+$/.test(entry);
    if (!valid)
      throw new ConfigError(
        `Invalid configuration:\n  SERVICE_URL_ALLOWLIST: "${entry}" is neither a host name nor an http(s) URL`,
      );
  }
  let redis: RedisSettings | undefined;
  try {
    const clusterNodes = parseNodes(values.REDIS_CLUSTER_NODES);
    const sentinels = parseNodes(values.REDIS_SENTINELS);
    if (clusterNodes) redis = { clusterNodes };
    else if (sentinels)
      redis = { sentinels, ...(values.REDIS_SENTINEL_NAME ? { sentinelName: values.REDIS_SENTINEL_NAME } : {}) };
    else if (values.REDIS_URL) redis = { url: values.REDIS_URL };
  } catch (error) {
    throw new ConfigError(
      `Invalid configuration:\n  ${values.REDIS_CLUSTER_NODES ? 'REDIS_CLUSTER_NODES' : 'REDIS_SENTINELS'}: ` +
        (error as Error).message,
    );
  }
  // Instances that each made up their own key would refuse each other's tokens (and a new one after Redis lost it).
  if (
    values.NODE_ENV?.toLowerCase() === 'production' &&
    redis &&
    !values.DIRECT_LINE_SECRET &&
    !values.DIRECT_LINE_TOKEN_KEY
  ) {
    throw new ConfigError(
      'Invalid configuration:\n  DIRECT_LINE_TOKEN_KEY: required when NODE_ENV=production and Redis is set ' +
        '(at least 32 random characters, the same on every instance), so every instance accepts the tokens ' +
        'of the others, also after Redis lost its data',
    );
  }
  // A key made up per process cannot read what another instance (or this one before a restart) stored.
  if (values.NODE_ENV === 'production' && redis && !values.STATE_ENCRYPTION_KEY) {
    throw new ConfigError(
      'Invalid configuration:\n  STATE_ENCRYPTION_KEY: required when NODE_ENV=production and Redis is set ' +
        '(at least 32 random characters, the same on every instance), so a secret number kept between two ' +
        'turns is stored encrypted and every instance can read it',
    );
  }
  const oidc = oidcSettings(values);
  return {
    port: values.PORT,
    ...(values.HOST ? { host: values.HOST } : {}),
    ...(values.ADMIN_PORT !== undefined ? { adminPort: values.ADMIN_PORT } : {}),
    ...(values.SERVICE_URL_ALLOWLIST ? { serviceUrlAllowList: values.SERVICE_URL_ALLOWLIST.split(/[\s,]+/) } : {}),
    bot: {
      ...(values.MicrosoftAppId ? { appId: values.MicrosoftAppId } : {}),
      ...(values.MicrosoftAppPassword ? { appPassword: values.MicrosoftAppPassword } : {}),
      appType: values.MicrosoftAppType,
      ...(values.MicrosoftAppTenantId ? { tenantId: values.MicrosoftAppTenantId } : {}),
    },
    contentDir: path.resolve(values.CONTENT_DIR ?? PROJECT_ROOT),
    accountsFile: path.resolve(values.ACCOUNTS_FILE ?? path.join(PROJECT_ROOT, 'demo', 'accounts.json')),
    dataDir: path.resolve(values.DATA_DIR ?? path.join(PROJECT_ROOT, 'data')),
    logLevel: values.LOG_LEVEL,
    watchContent: values.CONTENT_WATCH === 'true' || values.CONTENT_WATCH === '1',
    ...(values.ACCOUNT_SERVICE_URL
      ? { accountService: { url: values.ACCOUNT_SERVICE_URL, token: values.ACCOUNT_SERVICE_TOKEN! } }
      : {}),
    ...(redis ? { redis } : {}),
    conversationTtlSeconds: values.CONVERSATION_TTL_SECONDS,
    userTtlSeconds: values.USER_TTL_SECONDS,
    ...(values.STATE_ENCRYPTION_KEY ? { stateKey: values.STATE_ENCRYPTION_KEY } : {}),
    webChat: {
      ...(values.DIRECT_LINE_SECRET ? { directLineSecret: values.DIRECT_LINE_SECRET } : {}),
      directLineDomain: values.DIRECT_LINE_DOMAIN.replace(/\/+$/, ''),
      ...(values.DIRECT_LINE_TOKEN_KEY ? { tokenKey: values.DIRECT_LINE_TOKEN_KEY } : {}),
      tokenBurst: values.TOKEN_BURST,
      tokensPerMinute: values.TOKENS_PER_MINUTE,
      postsPerMinute: values.DIRECT_LINE_POSTS_PER_MINUTE,
      transcriptBytes: values.DIRECT_LINE_TRANSCRIPT_BYTES,
      conversationMaxSeconds: values.DIRECT_LINE_CONVERSATION_MAX_SECONDS,
      trustProxy: values.TRUST_PROXY === 'true',
      frameAncestors: values.WEB_CHAT_FRAME_ANCESTORS,
    },
    ...(values.STUDIO !== 'on' && values.STUDIO !== 'true'
      ? {}
      : {
          studio: {
            dataDir: path.resolve(values.STUDIO_DATA_DIR ?? path.join(PROJECT_ROOT, 'data', 'studio')),
            ...(oidc ? { oidc } : {}),
          },
        }),
    ...((values.STUDIO === 'on' || values.STUDIO === 'true') && values.INSIGHTS !== 'off' && values.INSIGHTS !== 'false'
      ? {
          insights: {
            inbox: values.INSIGHTS_INBOX !== 'off' && values.INSIGHTS_INBOX !== 'false',
            inboxDays: values.INSIGHTS_INBOX_DAYS,
            abandonSeconds: values.INSIGHTS_ABANDON_SECONDS,
          },
        }
      : {}),
  };
}

/** The OpenID Connect sign-in when any of its variables is set; each missing or wrong one named. */
function oidcSettings(values: z.infer<typeof schema>): OidcSettings | undefined {
  const required = {
    STUDIO_OIDC_ISSUER: values.STUDIO_OIDC_ISSUER,
    STUDIO_OIDC_CLIENT_ID: values.STUDIO_OIDC_CLIENT_ID,
    STUDIO_OIDC_CLIENT_SECRET: values.STUDIO_OIDC_CLIENT_SECRET,
    STUDIO_OIDC_REDIRECT_URL: values.STUDIO_OIDC_REDIRECT_URL,
  };
  if (Object.values(required).every((value) => value === undefined)) return undefined;
  const problems = Object.entries(required)
    .filter(([, value]) => value === undefined)
    .map(([name]) => `  ${name}: required when any STUDIO_OIDC_ variable is set`);
  const { STUDIO_OIDC_ISSUER: issuer, STUDIO_OIDC_REDIRECT_URL: redirectUrl } = required;
  if (issuer && !issuer.startsWith('https:') && !isLoopbackUrl(issuer))
    problems.push('  STUDIO_OIDC_ISSUER: must be an https URL (plain http only on 127.0.0.1 or localhost)');
  if (redirectUrl && new URL(redirectUrl).pathname !== OIDC_CALLBACK_PATH)
    problems.push(
      `  STUDIO_OIDC_REDIRECT_URL: must end in ${OIDC_CALLBACK_PATH}, ` +
        `e.g. https://helpdesk.example.org${OIDC_CALLBACK_PATH}`,
    );
  else if (redirectUrl && !redirectUrl.startsWith('https:') && !isLoopbackUrl(redirectUrl))
    problems.push('  STUDIO_OIDC_REDIRECT_URL: must be an https URL (plain http only on 127.0.0.1 or localhost)');
  if (problems.length > 0) throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
  return {
    issuer: issuer!,
    clientId: required.STUDIO_OIDC_CLIENT_ID!,
    clientSecret: required.STUDIO_OIDC_CLIENT_SECRET!,
    redirectUrl: redirectUrl!,
    name: values.STUDIO_OIDC_NAME ?? 'Microsoft',
    roleClaim: values.STUDIO_OIDC_ROLE_CLAIM ?? 'roles',
    editorRole: values.STUDIO_OIDC_EDITOR_ROLE ?? 'studio.editor',
    publisherRole: values.STUDIO_OIDC_PUBLISHER_ROLE ?? 'studio.publisher',
  };
}

/** What the process runs with, where each value came from, secrets shown only as set or not. */
export function describeConfig(config: Config, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const source = (name: string) => (env[name]?.trim() ? 'environment' : 'default');
  return {
    PORT: `${config.port} (${source('PORT')})`,
    ADMIN_PORT: config.adminPort !== undefined ? String(config.adminPort) : 'not set: /readyz and /metrics on PORT',
    SERVICE_URL_ALLOWLIST: config.serviceUrlAllowList?.join(' ') ?? 'not set: loopback and the own Direct Line',
    MicrosoftAppId: config.bot.appId ? `${config.bot.appId} (environment)` : 'not set: anonymous local use',
    MicrosoftAppPassword: config.bot.appPassword ? '[set]' : 'not set',
    MicrosoftAppType: `${config.bot.appType} (${source('MicrosoftAppType')})`,
    MicrosoftAppTenantId: config.bot.tenantId ?? 'not set',
    CONTENT_DIR: `${config.contentDir} (${source('CONTENT_DIR')})`,
    ACCOUNTS_FILE: `${config.accountsFile} (${source('ACCOUNTS_FILE')})`,
    DATA_DIR: `${config.dataDir} (${source('DATA_DIR')})`,
    CONTENT_WATCH: `${config.watchContent} (${source('CONTENT_WATCH')})`,
    ACCOUNT_SERVICE_URL: config.accountService
      ? `${config.accountService.url} (environment)`
      : 'not set: embedded reference service',
    ACCOUNT_SERVICE_TOKEN: config.accountService ? '[set]' : 'generated for the embedded service',
    REDIS: config.redis?.clusterNodes
      ? `cluster ${config.redis.clusterNodes.map((node) => `${node.host}:${node.port}`).join(',')}`
      : config.redis?.sentinels
        ? `sentinels ${config.redis.sentinels.map(hostPort).join(',')} (${config.redis.sentinelName ?? 'mymaster'})`
        : config.redis?.url
          ? redactUrl(config.redis.url)
          : 'not set: state in memory',
    CONVERSATION_TTL_SECONDS: String(config.conversationTtlSeconds),
    USER_TTL_SECONDS: String(config.userTtlSeconds),
    STATE_ENCRYPTION_KEY: config.stateKey ? '[set]' : 'not set: random per process',
    DIRECT_LINE_SECRET: config.webChat.directLineSecret
      ? `[set]: tokens from ${config.webChat.directLineDomain}`
      : 'not set: the bot serves Direct Line itself at /v3/directline',
    DIRECT_LINE_TOKEN_KEY: config.webChat.tokenKey
      ? '[set]'
      : config.redis
        ? 'not set: agreed through Redis'
        : `not set: kept in ${path.join(config.dataDir, TOKEN_KEY_FILE)}`,
    TOKEN_BURST: `${config.webChat.tokenBurst} at once per client address (${source('TOKEN_BURST')})`,
    TOKENS_PER_MINUTE: `${config.webChat.tokensPerMinute} a minute after that (${source('TOKENS_PER_MINUTE')})`,
    DIRECT_LINE_LIMITS:
      `${config.webChat.postsPerMinute} posts a minute, ${config.webChat.transcriptBytes} bytes kept, ` +
      `tokens refreshed for ${config.webChat.conversationMaxSeconds} s per conversation`,
    TRUST_PROXY: String(config.webChat.trustProxy),
    WEB_CHAT_FRAME_ANCESTORS: config.webChat.frameAncestors,
    STUDIO: config.studio
      ? `on at /studio, data in ${config.redis ? 'Redis' : config.studio.dataDir}`
      : 'off (STUDIO=off)',
    STUDIO_OIDC: config.studio?.oidc
      ? `${config.studio.oidc.issuer}, client ${config.studio.oidc.clientId}, secret [set], ` +
        `callback ${config.studio.oidc.redirectUrl}, roles from the claim "${config.studio.oidc.roleClaim}" ` +
        `(${config.studio.oidc.editorRole}: editor, ${config.studio.oidc.publisherRole}: publisher)`
      : 'not set: local accounts only',
    INSIGHTS: config.insights
      ? `on; inbox ${config.insights.inbox ? `kept ${config.insights.inboxDays} days` : 'off'}; ` +
        `abandoned after ${config.insights.abandonSeconds} s`
      : 'off',
  };
}

/** A URL with any password replaced, for logs. */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '[redacted]';
    return parsed.toString();
  } catch {
    return '[unparseable URL]';
  }
}

function hostPort(node: { host: string; port: number }): string {
  return `${node.host}:${node.port}`;
}
