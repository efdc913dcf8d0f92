import { unguessableId } from './tokens';
import type { LocalDirectLine } from './localDirectLine';

/** What the page gets from POST /api/directline/token. */
export interface WebChatToken {
  token: string;
  conversationId: string;
  userId: string;
  expires_in: number;
}

/** Gives each page visit a Direct Line token for its own conversation. */
export interface WebChatTokenSource {
  /** "local" when the bot serves Direct Line itself, else the Direct Line service's address. */
  readonly domain: string | 'local';
  issue(): Promise<WebChatToken>;
}

export class TokenServiceError extends Error {
  override name = 'TokenServiceError';
}

/** Tokens for this process's own Direct Line endpoint. */
export class LocalTokenSource implements WebChatTokenSource {
  readonly domain = 'local';
  constructor(private readonly directLine: LocalDirectLine) {}

  async issue(): Promise<WebChatToken> {
    const { token, conversationId, userId, expires_in } = this.directLine.issue();
    return { token, conversationId, userId, expires_in };
  }
}

/**
 * Exchanges the Direct Line secret for a token bound to one conversation and one fresh `dl_` user id, so
 * the browser never sees the secret and cannot speak as anyone else.
 */
export class DirectLineServiceTokenSource implements WebChatTokenSource {
  constructor(
    private readonly secret: string,
    readonly domain: string,
    private readonly timeoutMs = 5000,
  ) {}

  async issue(): Promise<WebChatToken> {
    const userId = unguessableId('dl_');
    let response: Response;
    try {
      response = await fetch(`${this.domain}/tokens/generate`, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.secret}`, 'content-type': 'application/json' },
        body: JSON.stringify({ user: { id: userId } }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new TokenServiceError(
        `the Direct Line service at ${this.domain} did not answer (${(error as Error).name})`,
      );
    }
    if (!response.ok)
      throw new TokenServiceError(
        `the Direct Line service at ${this.domain} answered ${response.status} to the token request`,
      );
    const body = (await response.json().catch(() => undefined)) as Partial<WebChatToken> | undefined;
    if (!body || typeof body.token !== 'string' || typeof body.conversationId !== 'string') {
      throw new TokenServiceError(
        `the Direct Line service at ${this.domain} sent a token response without token or conversationId`,
      );
    }
    return {
      token: body.token,
      conversationId: body.conversationId,
      userId,
      expires_in: typeof body.expires_in === 'number' ? body.expires_in : 1800,
    };
  }
}
