import path from 'node:path';
import { PROJECT_ROOT, type Config } from '../config';
import type { Content } from '../content/loadContent';
import type { Logger } from '../logger';
import { MemoryWindowCounter, RedisWindowCounter, type WindowCounter } from '../state/rateLimit';
import type { RedisClient } from '../state/redisConnection';
import { EVAL_FILE } from './nluEvaluation';
import { OidcSignIn } from './oidc';
import { FileStudioStore, RedisStudioStore, type StudioStore } from './store';
import { Studio } from './studio';

/** Failed sign-ins allowed per account from one address, and per address, in each quarter of an hour. */
export const SIGN_IN_ATTEMPTS = { perAccount: 10, perAddress: 100, windowMs: 15 * 60_000 };

/** Counts failed sign-ins: a right password takes its attempt back, so only guessing runs into the limit. */
export class SignInLimit {
  constructor(private readonly counter: WindowCounter) {}

  private keys(address: string, email: string): Array<[string, number]> {
    return [
      [`address:${address}`, SIGN_IN_ATTEMPTS.perAddress],
      [`account:${address}|${email.toLowerCase()}`, SIGN_IN_ATTEMPTS.perAccount],
    ];
  }

  /** Counts the attempt; the seconds to wait when it is over the limit, else undefined. */
  async attempt(address: string, email: string): Promise<number | undefined> {
    let wait: number | undefined;
    for (const [key, limit] of this.keys(address, email)) {
      const { count, resetInMs } = await this.counter.hit(key, SIGN_IN_ATTEMPTS.windowMs);
      if (count > limit) wait = Math.max(wait ?? 0, Math.ceil(resetInMs / 1000));
    }
    return wait;
  }

  async succeeded(address: string, email: string): Promise<void> {
    for (const [key] of this.keys(address, email)) await this.counter.unhit(key);
  }
}
/** How often an instance looks for a version published elsewhere: well within the 5 s a publish may take. */
export const LIVE_POLL_MS = 1000;

/** The studio as the bot runs it: its store (Redis when set, else the data folder) and its sign-in limit. */
export async function openStudio(
  config: Config,
  filesContent: Content,
  redis: RedisClient | undefined,
  logger: Logger,
  onLive: (content: Content, version: number) => void,
): Promise<{ studio: Studio; signInLimit: SignInLimit; oidc?: OidcSignIn }> {
  const store: StudioStore = redis ? new RedisStudioStore(redis) : new FileStudioStore(config.studio!.dataDir);
  const studio = await Studio.open(
    {
      store,
      contentDir: config.contentDir,
      checks: {
        scriptsDir: path.join(PROJECT_ROOT, 'test', 'conversations'),
        evalFile: EVAL_FILE,
        accountsFile: config.accountsFile,
        margin: 0.02,
      },
      logger: logger.child({ component: 'studio' }),
      onLive,
      ...(redis ? { pollMs: LIVE_POLL_MS } : {}),
    },
    filesContent,
  );
  const signInLimit = new SignInLimit(
    redis ? new RedisWindowCounter(redis, '{studio}:signin') : new MemoryWindowCounter(),
  );
  const oidc = config.studio!.oidc;
  return {
    studio,
    signInLimit,
    ...(oidc ? { oidc: new OidcSignIn(oidc, studio, store, logger.child({ component: 'studio' })) } : {}),
  };
}
