import type { AddressInfo } from 'node:net';
import { createBotEndpoint } from './bot/endpoint';
import { createMemoryStorage, type Storage } from './bot/storage';
import { describeConfig, loadConfig, type Config } from './config';
import { formatProblem, loadContent } from './content/loadContent';
import { watchContent } from './content/watch';
import { buildRuntime, type Runtime } from './conversation/runtime';
import { createLogger, type Logger } from './logger';
import { createServer } from './server/server';
import { newToken, startAccountService, type RunningAccountService } from './accountServiceApp';
import { HttpAccountService } from './services/httpAccountService';

export interface RunningBot {
  url: string;
  port: number;
  /** The embedded reference account service, when ACCOUNT_SERVICE_URL is not set. */
  embeddedAccountService?: RunningAccountService;
  close(): Promise<void>;
}

/** Parts a caller may supply instead of the embedded defaults. */
export interface Parts {
  storage?: Storage;
}

/** Composition root: read configuration and content, build the parts, listen. */
export async function startBot(
  config: Config = loadConfig(),
  logger: Logger = createLogger(config.logLevel),
  parts: Parts = {},
): Promise<RunningBot> {
  logger.info({ config: describeConfig(config) }, 'configuration');
  const content = loadContent(config.contentDir);
  for (const warning of content.warnings) logger.warn({ file: warning.file, line: warning.line, rule: warning.rule }, warning.message);
  const embedded = config.accountService
    ? undefined
    : await startAccountService(
        { port: 0, host: '127.0.0.1', token: newToken(), accountsFile: config.accountsFile, ...(config.redisUrl ? { redisUrl: config.redisUrl } : {}) },
        logger.child({ component: 'account-service' }),
      );
  if (embedded) logger.warn({ url: embedded.url }, 'account service: embedded reference service with the accounts from ACCOUNTS_FILE');
  const target = config.accountService ?? { url: embedded!.url, token: embedded!.token };
  const accountService = new HttpAccountService({ baseUrl: target.url, token: target.token, logger });
  if (!parts.storage) logger.warn('conversation state: in-process memory; it is lost on restart and not shared between instances');
  if (!config.bot.appId) logger.warn('MicrosoftAppId is not set: /api/messages accepts unauthenticated requests (local use only)');

  let runtime: Runtime = buildRuntime(content, accountService);
  const watcher = config.watchContent
    ? watchContent(
        config.contentDir,
        (next) => {
          runtime = buildRuntime(next, accountService);
          logger.info({ content: next.version }, 'content reloaded');
        },
        (problems) => {
          logger.error({ errors: problems.length }, `content not reloaded, the previous content stays live:\n${problems.map(formatProblem).join('\n')}`);
        },
      )
    : undefined;
  const bot = createBotEndpoint({ auth: config.bot, runtime: () => runtime, storage: parts.storage ?? createMemoryStorage(), logger });
  const server = createServer({ bot, logger });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    if (config.host) server.listen(config.port, config.host, resolve);
    else server.listen(config.port, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.host && config.host !== '0.0.0.0' && config.host !== '::' ? config.host : 'localhost'}:${port}`;
  logger.info({ url: `${url}/api/messages`, content: content.version }, 'helpdesk bot listening');

  return {
    url,
    port,
    ...(embedded ? { embeddedAccountService: embedded } : {}),
    close: async () => {
      watcher?.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await embedded?.close();
    },
  };
}

if (require.main === module) {
  startBot()
    .then((running) => {
      const stop = () => void running.close().then(() => process.exit(0));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    })
    .catch((error: Error) => {
      // Content and configuration errors are written for people: print them as they are.
      const readable = error.name === 'ContentError' || error.name === 'ConfigError';
      process.stderr.write(`Cannot start the helpdesk bot.\n${readable ? error.message : (error.stack ?? String(error))}\n`);
      process.exitCode = 1;
    });
}
