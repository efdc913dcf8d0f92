import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { RunningAccountService } from './referenceService/app';
import { createBotEndpoint } from './bot/endpoint';
import { createMemoryStorage, StateStoreStorage, type Storage } from './bot/storage';
import { describeConfig, loadConfig, TOKEN_KEY_FILE, type Config } from './config';
import { formatProblem, loadContent } from './content/loadContent';
import { watchContent } from './content/watch';
import { buildRuntime, type Runtime } from './conversation/runtime';
import { SlotSeal } from './conversation/sealedSlots';
import { createLogger, type Logger } from './logger';
import { createAdminServer, createServer } from './server/server';
import { createWebChatChannel } from './directLine/channel';
import { HttpAccountService } from './accountService/httpAccountService';
import { Metrics } from './metrics';
import { MemoryBucketLimiter, RedisBucketLimiter } from './state/rateLimit';
import { MemoryReminderStore, RedisReminderStore, Reminders } from './reminders/reminders';
import { connectOnce, createRedis, type RedisClient } from './state/redisConnection';
import { RedisStateStore } from './state/redisStateStore';
import { InProcessTurnGate, RedisTurnGate, type TurnGate } from './state/turnGate';

export interface RunningBot {
  url: string;
  port: number;
  /** Where /readyz and /metrics are served when ADMIN_PORT is set. */
  adminUrl?: string;
  /** The embedded reference account service, when ACCOUNT_SERVICE_URL is not set. */
  embeddedAccountService?: RunningAccountService;
  metrics: Metrics;
  /** Stops taking requests, lets the turns in progress finish (bounded), hands back their places, closes Redis. */
  close(): Promise<void>;
}

/** Parts a caller may supply instead of the embedded defaults. */
export interface Parts {
  storage?: Storage;
  /** Where `npm run dev` prints content problems for the person editing, as plain lines (standard error). */
  tell?: (text: string) => void;
}

const SHUTDOWN_GRACE_MS = 10_000;

// Parts only some starts use are loaded when used, so a start without them does not pay for loading their code:
// the embedded reference account service (no ACCOUNT_SERVICE_URL), the studio and the insights.
/* eslint-disable @typescript-eslint/no-require-imports */
const referenceService = () => require('./referenceService/app') as typeof import('./referenceService/app');
const studioModule = () => require('./studio/open') as typeof import('./studio/open');
const insightsModule = () => require('./insights/open') as typeof import('./insights/open');
/* eslint-enable @typescript-eslint/no-require-imports */

/** Composition root: read configuration and content, build the parts, listen. */
export async function startBot(
  config: Config = loadConfig(),
  logger: Logger = createLogger(config.logLevel),
  parts: Parts = {},
): Promise<RunningBot> {
  logger.info({ config: describeConfig(config) }, 'configuration');
  const content = loadContent(config.contentDir);
  for (const warning of content.warnings)
    logger.warn({ file: warning.file, line: warning.line, rule: warning.rule }, warning.message);
  const metrics = new Metrics();

  const redis: RedisClient | undefined = config.redis ? createRedis(config.redis) : undefined;
  // Redis must answer once at start-up (the embedded account service seeds its accounts there); after that,
  // an outage only makes turns answer "try again in a moment" until it is back.
  if (redis) await connectOnce(redis);

  const embedded = config.accountService
    ? undefined
    : await referenceService()
        .startAccountService(
          {
            port: 0,
            host: '127.0.0.1',
            token: referenceService().newToken(),
            accountsFile: config.accountsFile,
            ...(redis ? { redis } : {}),
          },
          logger.child({ component: 'account-service' }),
        )
        .catch(async (error: Error) => {
          redis?.disconnect();
          throw error;
        });
  if (embedded)
    logger.warn(
      { url: embedded.url },
      'account service: embedded reference service with the accounts from ACCOUNTS_FILE',
    );
  const target = config.accountService ?? { url: embedded!.url, token: embedded!.token };
  const accountService = new HttpAccountService({
    baseUrl: target.url,
    token: target.token,
    logger,
    onFailure: (action) => metrics.accountServiceErrors.inc({ action }),
  });
  metrics.watchBreaker(() => accountService.breakerState);

  const store = redis
    ? new RedisStateStore(redis, {
        conversationTtlSeconds: config.conversationTtlSeconds,
        userTtlSeconds: config.userTtlSeconds,
      })
    : undefined;
  const storage = parts.storage ?? (store ? new StateStoreStorage(store) : createMemoryStorage());
  // With the Redis store, the gate reads a turn's states as it lets the turn in, and saves them as it ends it.
  const gate: TurnGate = redis
    ? new RedisTurnGate(redis, parts.storage || !store ? {} : { store })
    : new InProcessTurnGate();
  if (!redis && !parts.storage)
    logger.warn('conversation state: in-process memory; it is lost on restart and not shared between instances');
  if (!config.bot.appId)
    logger.warn('MicrosoftAppId is not set: /api/messages accepts unauthenticated requests (local use only)');

  if (redis && !config.stateKey)
    logger.warn(
      'STATE_ENCRYPTION_KEY is not set: secret answers kept between turns are encrypted with a key of this ' +
        'process only, so after a restart or on another instance the bot asks for them again',
    );
  // One key for every reload of the content, so a form half-way keeps its secret answers readable.
  const seal = new SlotSeal(config.stateKey);
  let runtime: Runtime = buildRuntime(content, accountService, { seal });
  const tell = parts.tell ?? ((text: string) => process.stderr.write(text));
  const watcher = config.watchContent
    ? watchContent(
        config.contentDir,
        (next) => {
          runtime = buildRuntime(next, accountService, { seal });
          logger.info({ content: next.version }, 'content reloaded');
        },
        (problems) => {
          const errors = problems.filter((problem) => problem.severity === 'error').length;
          logger.error({ errors }, 'content not reloaded, the previous content stays live');
          tell(
            `Content not reloaded; the previous content stays live. Fix these and save again:\n` +
              `${problems.map(formatProblem).join('\n')}\n` +
              `${errors} error(s), ${problems.length - errors} warning(s).\n`,
          );
        },
      )
    : undefined;
  // The studio's published version is the live content; it swaps the runtime as a content reload does.
  const studio = config.studio
    ? await studioModule().openStudio(config, content, redis, logger, (next, version) => {
        runtime = buildRuntime(next, accountService, { seal });
        logger.info({ content: next.version, studioVersion: version }, 'content published in the studio is live');
      })
    : undefined;
  const insights = config.insights
    ? insightsModule().openInsights(config.insights, redis, config.studio!.dataDir, () => runtime.content, logger)
    : undefined;
  // With Redis, a reminder survives a restart and is sent by whichever instance sees it due first.
  const reminders = new Reminders(
    redis ? new RedisReminderStore(redis) : new MemoryReminderStore(),
    logger,
    1000,
    !redis,
  );
  // Without a Direct Line secret the bot is its own Direct Line service: the page works with no internet.
  // Its Bot Connector routes sit under a random path, so only this process's own replies can reach them.
  let serviceUrl = '';
  const connectorPath = `/connector/${randomBytes(18).toString('base64url')}`;
  const bot = createBotEndpoint({
    auth: config.bot,
    runtime: () => runtime,
    storage,
    logger,
    gate,
    metrics,
    reminders,
    ...(insights ? { onTurn: (turn) => insights.record(turn) } : {}),
    localServiceUrl: () => serviceUrl,
    serviceUrlAllowList: config.serviceUrlAllowList ?? [],
  });

  const { directLine, tokens } = await createWebChatChannel({
    webChat: { ...config.webChat, tokenKeyFile: path.join(config.dataDir, TOKEN_KEY_FILE) },
    deliver: (activity, client) => bot.deliverLocal(activity, client),
    serviceUrl: () => serviceUrl,
    ...(redis ? { redis } : {}),
  });
  const bucket = { burst: config.webChat.tokenBurst, perMinute: config.webChat.tokensPerMinute };
  const limiter = redis
    ? new RedisBucketLimiter(redis, 'helpdesk:ratelimit:token-bucket', bucket)
    : new MemoryBucketLimiter(bucket);

  const ready = async () => {
    const checks: Record<string, boolean> = { content: Boolean(runtime.content) };
    if (redis)
      checks.redis = await redis.ping().then(
        () => true,
        () => false,
      );
    return checks;
  };
  const admin = config.adminPort !== undefined ? createAdminServer({ metrics, ready }) : undefined;
  const { server, closeStreams } = createServer({
    bot,
    logger,
    metrics,
    adminElsewhere: Boolean(admin),
    webChat: {
      tokens,
      limiter,
      translate: (language, key) => runtime.i18n.getFixedT(language)(key),
      frameAncestors: config.webChat.frameAncestors,
      trustProxy: config.webChat.trustProxy,
    },
    ...(directLine ? { directLine: { hub: directLine, connectorPath } } : {}),
    ...(studio
      ? {
          studio: {
            ...studio,
            trustProxy: config.webChat.trustProxy,
            translate: (language, key, values) => runtime.i18n.getFixedT(language)(key, values),
            ...(insights ? { insights } : {}),
          },
        }
      : {}),
    ready,
  });

  const listen = (each: typeof server, port: number) =>
    new Promise<number>((resolve, reject) => {
      each.once('error', reject);
      const listening = () => resolve((each.address() as AddressInfo).port);
      if (config.host) each.listen(port, config.host, listening);
      else each.listen(port, listening);
    });
  const port = await listen(server, config.port);
  const url = `http://${specificHost(config.host) ?? 'localhost'}:${port}`;
  const adminUrl = admin
    ? `http://${specificHost(config.host) ?? 'localhost'}:${await listen(admin, config.adminPort!)}`
    : undefined;
  serviceUrl = `${loopbackBase(config.host, port)}${connectorPath}/`;
  logger.info(
    {
      url: `${url}/api/messages`,
      page: `${url}/`,
      ...(adminUrl ? { admin: `${adminUrl}/metrics` } : {}),
      directLine: directLine ? 'local' : 'service',
      content: content.version,
      state: redis ? 'redis' : 'memory',
    },
    'helpdesk bot listening',
  );

  return {
    url,
    port,
    ...(adminUrl ? { adminUrl } : {}),
    metrics,
    ...(embedded ? { embeddedAccountService: embedded } : {}),
    close: async () => {
      const stopping = Date.now();
      logger.info({ graceMs: SHUTDOWN_GRACE_MS }, 'stopping: no new requests; turns in progress may finish');
      watcher?.close();
      studio?.studio.close();
      await insights?.close();
      await reminders.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.server.closeIdleConnections();
      await bot.drain(SHUTDOWN_GRACE_MS);
      logger.info('turns finished; closing the open chat streams (pages reconnect to another instance)');
      closeStreams();
      server.server.closeAllConnections();
      await closed;
      if (admin) await new Promise<void>((resolve) => admin.close(() => resolve()));
      await directLine?.close();
      await gate.close();
      await embedded?.close();
      await redis?.quit().catch(() => redis.disconnect());
      logger.info({ ms: Date.now() - stopping }, 'stopped');
    },
  };
}

/** The one address the process listens on; undefined when it listens on all of them. */
function specificHost(host: string | undefined): string | undefined {
  return host && host !== '0.0.0.0' && host !== '::' ? host : undefined;
}

/** How this process reaches itself: the address it listens on, or loopback when it listens on all. */
function loopbackBase(host: string | undefined, port: number): string {
  const own = specificHost(host) ?? '127.0.0.1';
  return own.includes(':') ? `http://[${own}]:${port}` : `http://${own}:${port}`;
}

if (require.main === module) {
  // The studio is on in the bot's process unless STUDIO=off; a configuration error is reported below.
  Promise.resolve()
    .then(() => startBot(loadConfig({ STUDIO: 'on', ...process.env })))
    .then((running) => {
      // For the person who started it: one plain line (the JSON lines above are for machines).
      process.stderr.write(
        `The helpdesk chat page is at ${running.url}/ (the bot's endpoint: ${running.url}/api/messages)\n`,
      );
      const stop = (signal: string) => {
        process.stdout.write(
          `${JSON.stringify({ level: 30, msg: `${signal}: finishing the turns in progress, then stopping` })}\n`,
        );
        void running.close().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
    })
    .catch((error: Error) => {
      // Content and configuration errors are written for people: print them as they are.
      const readable = error.name === 'ContentError' || error.name === 'ConfigError';
      process.stderr.write(
        `Cannot start the helpdesk bot.\n${readable ? error.message : (error.stack ?? String(error))}\n`,
      );
      process.exitCode = 1;
    });
}
