import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { newToken, startAccountService, type RunningAccountService } from './referenceService/app';
import { createBotEndpoint } from './bot/endpoint';
import { createMemoryStorage, StateStoreStorage, type Storage } from './bot/storage';
import { describeConfig, loadConfig, type Config } from './config';
import { formatProblem, loadContent } from './content/loadContent';
import { watchContent } from './content/watch';
import { buildRuntime, type Runtime } from './conversation/runtime';
import { createLogger, type Logger } from './logger';
import { createAdminServer, createServer } from './server/server';
import { createWebChatChannel } from './directLine/channel';
import { HttpAccountService } from './accountService/httpAccountService';
import { Metrics } from './metrics';
import { MemoryRateLimiter, RedisRateLimiter } from './state/rateLimit';
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
}

const SHUTDOWN_GRACE_MS = 10_000;

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
    : await startAccountService(
        {
          port: 0,
          host: '127.0.0.1',
          token: newToken(),
          accountsFile: config.accountsFile,
          ...(redis ? { redis } : {}),
        },
        logger.child({ component: 'account-service' }),
      ).catch(async (error: Error) => {
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

  let runtime: Runtime = buildRuntime(content, accountService);
  const watcher = config.watchContent
    ? watchContent(
        config.contentDir,
        (next) => {
          runtime = buildRuntime(next, accountService);
          logger.info({ content: next.version }, 'content reloaded');
        },
        (problems) => {
          logger.error(
            { errors: problems.length },
            `content not reloaded, the previous content stays live:\n${problems.map(formatProblem).join('\n')}`,
          );
        },
      )
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
    localServiceUrl: () => serviceUrl,
    serviceUrlAllowList: config.serviceUrlAllowList ?? [],
  });

  const { directLine, tokens } = await createWebChatChannel({
    webChat: config.webChat,
    deliver: (activity, client) => bot.deliverLocal(activity, client),
    serviceUrl: () => serviceUrl,
    ...(redis ? { redis } : {}),
  });
  const limiter = redis
    ? new RedisRateLimiter(redis, 'helpdesk:ratelimit:tokens', config.webChat.tokensPerMinute, 60_000)
    : new MemoryRateLimiter(config.webChat.tokensPerMinute, 60_000);

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
      watcher?.close();
      await reminders.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.server.closeIdleConnections();
      await bot.drain(SHUTDOWN_GRACE_MS);
      closeStreams();
      server.server.closeAllConnections();
      await closed;
      if (admin) await new Promise<void>((resolve) => admin.close(() => resolve()));
      await directLine?.close();
      await gate.close();
      await embedded?.close();
      await redis?.quit().catch(() => redis.disconnect());
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
  startBot()
    .then((running) => {
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
