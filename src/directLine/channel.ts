import type { RedisClient } from '../state/redisConnection';
import { RedisConversationStore } from './conversationStore';
import { LocalDirectLine, type ChannelActivity, type PostingClient } from './localDirectLine';
import { DirectLineTokens, sharedTokenKey } from './tokens';
import { DirectLineServiceTokenSource, LocalTokenSource, type WebChatTokenSource } from './webChatTokens';

export interface WebChatChannelOptions {
  webChat: { directLineSecret?: string; directLineDomain: string; tokenKey?: string };
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
  const tokenKey = webChat.tokenKey ?? (redis ? await sharedTokenKey(redis) : undefined);
  const directLine = new LocalDirectLine({
    deliver: options.deliver,
    serviceUrl: options.serviceUrl,
    bot: { id: 'helpdesk-bot', name: 'Helpdesk' },
    ...(redis
      ? { store: new RedisConversationStore(redis, { maxActivities: 500, idleSeconds: 3600, now: Date.now }) }
      : {}),
    ...(tokenKey ? { tokens: new DirectLineTokens(tokenKey) } : {}),
  });
  return { directLine, tokens: new LocalTokenSource(directLine) };
}
