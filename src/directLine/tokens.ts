import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RedisClient } from '../state/redisConnection';

/** What a local Direct Line token grants: one conversation, as one user, until it expires. */
export interface TokenClaims {
  conversationId: string;
  userId: string;
  /** Seconds since the epoch. */
  expiresAt: number;
  /** When the conversation's first token was issued (seconds since the epoch): refreshes carry it along. */
  startedAt: number;
}

const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');

/** Azure's Direct Line tokens also last 30 minutes; clients refresh them well before. */
export const TOKEN_SECONDS = 30 * 60;
/** However often its tokens are refreshed, a conversation's last token ends this long after its first. */
export const CONVERSATION_MAX_SECONDS = 24 * 3600;

/**
 * Signs and checks the local Direct Line endpoint's tokens (JWT, HS256). The key is random per process
 * unless configured, so tokens from a previous run or another instance are refused.
 */
export class DirectLineTokens {
  private readonly key: Buffer;

  constructor(
    key?: string,
    private readonly now: () => number = Date.now,
    private readonly maxLifetimeSeconds: number = CONVERSATION_MAX_SECONDS,
  ) {
    this.key = key ? Buffer.from(key, 'utf8') : randomBytes(32);
  }

  /** A token for a new conversation, or (with the claims' `startedAt`) a refresh that never outlives it. */
  issue(claims: { conversationId: string; userId: string; startedAt?: number }): { token: string; expiresIn: number } {
    const issuedAt = Math.floor(this.now() / 1000);
    const startedAt = claims.startedAt ?? issuedAt;
    const expiresAt = Math.min(issuedAt + TOKEN_SECONDS, startedAt + this.maxLifetimeSeconds);
    // A JWT like the service's own: Web Chat and directlinejs read the user id from its "user" claim.
    const body = { user: claims.userId, conv: claims.conversationId, iat: issuedAt, sta: startedAt, exp: expiresAt };
    const signed = `${HEADER}.${Buffer.from(JSON.stringify(body)).toString('base64url')}`;
    return { token: `${signed}.${this.sign(signed)}`, expiresIn: expiresAt - issuedAt };
  }

  /** The claims of a genuine, unexpired token; undefined for anything else. */
  verify(token: string | undefined): TokenClaims | undefined {
    if (!token || token.length > 2048) return undefined;
    const [header, payload, signature, extra] = token.split('.');
    if (header !== HEADER || !payload || !signature || extra !== undefined) return undefined;
    const expected = Buffer.from(this.sign(`${header}.${payload}`));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    let claims: { user?: unknown; conv?: unknown; exp?: unknown; iat?: unknown; sta?: unknown };
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof claims;
    } catch {
      return undefined;
    }
    if (typeof claims.conv !== 'string' || typeof claims.user !== 'string' || typeof claims.exp !== 'number')
      return undefined;
    if (claims.exp * 1000 <= this.now()) return undefined;
    // Tokens from before "sta" was added count from when they were issued.
    const startedAt = typeof claims.sta === 'number' ? claims.sta : typeof claims.iat === 'number' ? claims.iat : 0;
    if (startedAt + this.maxLifetimeSeconds <= this.now() / 1000) return undefined;
    return { conversationId: claims.conv, userId: claims.user, expiresAt: claims.exp, startedAt };
  }

  private sign(signed: string): string {
    return createHmac('sha256', this.key).update(signed).digest('base64url');
  }
}

/** An unguessable id with a prefix: `dl_` user ids, conversation ids. */
export function unguessableId(prefix: string): string {
  return `${prefix}${randomBytes(18).toString('base64url')}`;
}

/**
 * One signing key for the local Direct Line's tokens, agreed through Redis by whichever instance starts first
 * (set DIRECT_LINE_TOKEN_KEY instead to keep it out of Redis).
 */
export async function sharedTokenKey(redis: RedisClient): Promise<string> {
  const key = (await redis.eval(
    "local key = redis.call('GET', KEYS[1]) " +
      "if not key then redis.call('SET', KEYS[1], ARGV[1]) key = ARGV[1] end return key",
    1,
    'helpdesk:dl:token-key',
    randomBytes(32).toString('base64url'),
  )) as string | null;
  if (!key)
    throw Object.assign(new Error('Redis did not keep the Direct Line token key; check REDIS_URL'), {
      name: 'ConfigError',
    });
  return key;
}

/** A key for another endpoint's tokens, made from this one: neither endpoint accepts the other's tokens. */
export function derivedTokenKey(key: string, purpose: string): string {
  return createHmac('sha256', key).update(purpose).digest('base64url');
}

/**
 * The signing key kept in a file of the bot's own (made on first start, readable by its user only), so tokens
 * given out before a restart are still accepted after it.
 */
export function keptTokenKey(file: string): string {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  try {
    writeFileSync(file, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const key = readFileSync(file, 'utf8').trim();
  if (key.length < 32)
    throw Object.assign(new Error(`${file} holds no token key (at least 32 characters); delete it to make a new one`), {
      name: 'ConfigError',
    });
  return key;
}
