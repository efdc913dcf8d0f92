import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** What a local Direct Line token grants: one conversation, as one user, until it expires. */
export interface TokenClaims {
  conversationId: string;
  userId: string;
  /** Seconds since the epoch. */
  expiresAt: number;
}

/** Azure's Direct Line tokens also last 30 minutes; clients refresh them well before. */
export const TOKEN_SECONDS = 30 * 60;

/**
 * Signs and checks the local Direct Line endpoint's tokens (HMAC-SHA256). The key is random per process
 * unless configured, so tokens from a previous run or another instance are refused.
 */
export class DirectLineTokens {
  private readonly key: Buffer;

  constructor(
    key?: string,
    private readonly now: () => number = Date.now,
  ) {
    this.key = key ? Buffer.from(key, 'utf8') : randomBytes(32);
  }

  issue(claims: Omit<TokenClaims, 'expiresAt'>): { token: string; expiresIn: number } {
    const body: TokenClaims = { ...claims, expiresAt: Math.floor(this.now() / 1000) + TOKEN_SECONDS };
    const payload = Buffer.from(JSON.stringify(body)).toString('base64url');
    return { token: `${payload}.${this.sign(payload)}`, expiresIn: TOKEN_SECONDS };
  }

  /** The claims of a genuine, unexpired token; undefined for anything else. */
  verify(token: string | undefined): TokenClaims | undefined {
    if (!token || token.length > 2048) return undefined;
    const [payload, signature, extra] = token.split('.');
    if (!payload || !signature || extra !== undefined) return undefined;
    const expected = Buffer.from(this.sign(payload));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    let claims: Partial<TokenClaims>;
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Partial<TokenClaims>;
    } catch {
      return undefined;
    }
    if (typeof claims.conversationId !== 'string' || typeof claims.userId !== 'string' || typeof claims.expiresAt !== 'number') return undefined;
    if (claims.expiresAt * 1000 <= this.now()) return undefined;
    return { conversationId: claims.conversationId, userId: claims.userId, expiresAt: claims.expiresAt };
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.key).update(payload).digest('base64url');
  }
}

/** An unguessable id with a prefix: `dl_` user ids, conversation ids. */
export function unguessableId(prefix: string): string {
  return `${prefix}${randomBytes(18).toString('base64url')}`;
}
