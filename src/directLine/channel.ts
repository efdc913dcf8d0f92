import type { RedisClient } from '../state/redisConnection';
import { MemoryRateLimiter, RedisRateLimiter } from '../state/rateLimit';
import { MemoryConversationStore, RedisConversationStore } from './conversationStore';
import { LocalDirectLine, type ChannelActivity, type PostingClient } from './localDirectLine';
import { DirectLineTokens, keptTokenKey, sharedTokenKey } from './tokens';
import { DirectLineServiceTokenSource, LocalTokenSource, type WebChatTokenSource } from './webChatTokens';

export interface WebChatChannelOptions {
  webChat: {
    directLineSecret?: string;
    directLineDomain: string;
    tokenKey?: string;
    /** Where the token key is kept between runs when it is neither set nor agreed through Redis. */
    tokenKeyFile: string;
    /** Activities one conversation may post per minute. */
    postsPerMinute: number;
    /** Bytes of activities kept per conversation; the oldest are dropped beyond it. */
    transcriptBytes: number;
    /** Seconds after its first token that a conversation's tokens can no longer be refreshed. */
    conversationMaxSeconds: number;
  };
  /** Hands a page's activity to the bot; resolves when the bot's turn is over. */
  deliver: (activity: ChannelActivity, client: PostingClient) => Promise<void>;
  /** This process's own Bot Connector address, known once it listens. */
  serviceUrl: () => string;
  redis?: RedisClient;
}

/**
 * The chat page's channel: Azure's Direct Line service when a secret is set, otherwise the bot's own
 * Direct Line endpoint (the page then works with no internet). With Redis, every instance serves every
 * page's conversation, with tokens all of them accept.
 */
export async function createWebChatChannel(
  options: WebChatChannelOptions,
): Promise<{ directLine?: LocalDirectLine; tokens: WebChatTokenSource }> {
  const { webChat, redis } = options;
  if (webChat.directLineSecret) {
    return { tokens: new DirectLineServiceTokenSource(webChat.directLineSecret, webChat.directLineDomain) };
  }
  const tokenKey = webChat.tokenKey ?? (redis ? await sharedTokenKey(redis) : keptTokenKey(webChat.tokenKeyFile));
  const limits = { maxActivities: 500, maxBytes: webChat.transcriptBytes, idleSeconds: 3600, now: Date.now };
  const perMinute = webChat.postsPerMinute;
  const directLine = new LocalDirectLine({
    deliver: options.deliver,
    serviceUrl: options.serviceUrl,
    bot: { id: 'helpdesk-bot', name: 'Helpdesk' },
    store: redis ? new RedisConversationStore(redis, limits) : new MemoryConversationStore(limits),
    tokens: new DirectLineTokens(tokenKey, Date.now, webChat.conversationMaxSeconds),
    posts: {
      perMinute,
      limiter: redis
        ? new RedisRateLimiter(redis, 'helpdesk:ratelimit:dl-posts', perMinute, 60_000)
        : new MemoryRateLimiter(perMinute, 60_000),
    },
  });
  return { directLine, tokens: new LocalTokenSource(directLine) };
}
