import path from 'node:path';
import { PROJECT_ROOT, type Config } from '../config';
import type { Content } from '../content/loadContent';
import type { Logger } from '../logger';
import { MemoryWindowCounter, RedisWindowCounter, type WindowCounter } from '../state/rateLimit';
import type { RedisClient } from '../state/redisConnection';
import { SlotSeal } from '../conversation/sealedSlots';
import { RedisConversationStore, type ConversationStore } from '../directLine/conversationStore';
import { DirectLineTokens, derivedTokenKey, sharedTokenKey } from '../directLine/tokens';
import { EVAL_FILE } from './nluEvaluation';
import { OidcSignIn } from './oidc';
import { SharedPreviewStore } from './previewStore';
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

/** What a preview conversation's Direct Line transcript keeps, and how long it waits unused: the chat page's. */
const PREVIEW_TRANSCRIPT = { maxActivities: 500, maxBytes: 256 * 1024, idleSeconds: 3600, now: Date.now };

/**
 * The preview's Direct Line with Redis: conversations under keys of its own, tokens signed with a key made from the
 * chat page's (agreed through Redis), so every instance accepts them and neither endpoint accepts the other's.
 */
async function sharedPreviewDirectLine(
  config: Config,
  redis: RedisClient,
): Promise<{ store: ConversationStore; tokens: DirectLineTokens }> {
  const pageKey = config.webChat.tokenKey ?? (await sharedTokenKey(redis));
  return {
    store: new RedisConversationStore(redis, PREVIEW_TRANSCRIPT, 'helpdesk:preview:dl'),
    tokens: new DirectLineTokens(derivedTokenKey(pageKey, 'studio preview')),
  };
}

/**
 * The studio as the bot runs it: its store (Redis when set, else the data folder), its sign-in limit, and where the
 * preview's conversations live (with Redis, shared by every instance; else in this process).
 */
export async function openStudio(
  config: Config,
  filesContent: Content,
  redis: RedisClient | undefined,
  logger: Logger,
  onLive: (content: Content, version: number) => void,
): Promise<{
  studio: Studio;
  signInLimit: SignInLimit;
  oidc?: OidcSignIn;
  preview: { store?: ConversationStore; tokens?: DirectLineTokens };
}> {
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
      seal: new SlotSeal(config.stateKey),
      ...(redis ? { pollMs: LIVE_POLL_MS, previews: new SharedPreviewStore(store) } : {}),
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
    preview: redis ? await sharedPreviewDirectLine(config, redis) : {},
    ...(oidc ? { oidc: new OidcSignIn(oidc, studio, store, logger.child({ component: 'studio' })) } : {}),
  };
}
