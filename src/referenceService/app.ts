import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { PROJECT_ROOT } from '../config';
import { createLogger, type Logger } from '../logger';
import { createAccountServiceServer } from './server';
import { RedisAccountStore } from './redisAccountStore';
import { createRedis, type RedisClient } from '../state/redisConnection';
import { loadAccounts, ReferenceAccounts } from './referenceAccounts';
import { MemoryAccountStore, type AccountStore } from './store';
import path from 'node:path';

export interface AccountServiceSettings {
  port: number;
  host: string;
  token: string;
  accountsFile: string;
  /** Keep the data in this Redis (shared with other instances) instead of in memory. */
  redis?: RedisClient;
  /** The key of the secret numbers' HMACs; by default derived from the accounts file, which holds them anyway. */
  secretKey?: string;
}

export interface RunningAccountService {
  url: string;
  token: string;
  accounts: ReferenceAccounts;
  close(): Promise<void>;
}

/** Starts the reference account service: accounts seeded from the file, data in Redis or in memory. */
export async function startAccountService(
  settings: AccountServiceSettings,
  logger: Logger,
  now: () => Date = () => new Date(),
): Promise<RunningAccountService> {
  const redisStore = settings.redis ? new RedisAccountStore(settings.redis) : undefined;
  const deleted = (await redisStore?.deleteEarlierHelpdeskList()) ?? 0;
  if (deleted > 0)
    logger.warn({ deleted }, 'deleted the helpdesk requests kept from an earlier version with secret numbers in clear');
  const store: AccountStore = redisStore ?? new MemoryAccountStore(() => now().getTime());
  const secretKey = settings.secretKey
    ? Buffer.from(settings.secretKey)
    : createHash('sha256').update('secret-numbers\u0000').update(readFileSync(settings.accountsFile)).digest();
  const accounts = new ReferenceAccounts(store, secretKey, now, logger);
  await accounts.seed(loadAccounts(settings.accountsFile));
  const server = createAccountServiceServer({ accounts, token: settings.token, logger });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.port, settings.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${settings.host.includes(':') ? `[${settings.host}]` : settings.host}:${port}`;
  return {
    url,
    token: settings.token,
    accounts,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await accounts.close();
    },
  };
}

/** A token for the embedded service, which only this process talks to. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

const settingsSchema = z.object({
  ACCOUNT_SERVICE_PORT: z.coerce.number().int().min(0).max(65535).default(3979),
  HOST: z.string().default('127.0.0.1'),
  ACCOUNT_SERVICE_TOKEN: z.string().min(16, 'must be set to a secret of at least 16 characters'),
  ACCOUNTS_FILE: z.string().default(path.join(PROJECT_ROOT, 'demo', 'accounts.json')),
  REDIS_URL: z.string().optional(),
  ACCOUNT_SERVICE_SECRET_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
  LOG_LEVEL: z.string().default('info'),
});

if (require.main === module) {
  const parsed = settingsSchema.safeParse(process.env);
  if (!parsed.success) {
    process.stderr.write(
      'Cannot start the account service.\nInvalid configuration:\n' +
        `${parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`).join('\n')}\n`,
    );
    process.exit(1);
  }
  const env = parsed.data;
  const logger = createLogger(env.LOG_LEVEL).child({ service: 'account-service' });
  const redis = env.REDIS_URL ? createRedis({ url: env.REDIS_URL }) : undefined;
  (redis ? redis.connect() : Promise.resolve())
    .then(() =>
      startAccountService(
        {
          port: env.ACCOUNT_SERVICE_PORT,
          host: env.HOST,
          token: env.ACCOUNT_SERVICE_TOKEN,
          accountsFile: path.resolve(env.ACCOUNTS_FILE),
          ...(redis ? { redis } : {}),
          ...(env.ACCOUNT_SERVICE_SECRET_KEY ? { secretKey: env.ACCOUNT_SERVICE_SECRET_KEY } : {}),
        },
        logger,
      ),
    )
    .then((running) => {
      logger.info({ url: running.url, store: redis ? 'redis' : 'memory' }, 'account service listening');
      const stop = () =>
        void running
          .close()
          .then(() => redis?.quit())
          .then(() => process.exit(0));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    })
    .catch((error: Error) => {
      process.stderr.write(`Cannot start the account service.\n${error.message}\n`);
      process.exitCode = 1;
    });
}
