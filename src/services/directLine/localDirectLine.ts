import { DirectLineTokens, unguessableId, type TokenClaims } from './tokens';

/** An activity as Direct Line and the Bot Connector carry it; only the fields this hub reads are typed. */
export interface ChannelActivity {
  type: string;
  id?: string;
  timestamp?: string;
  channelId?: string;
  serviceUrl?: string;
  from?: { id: string; name?: string; role?: string };
  recipient?: { id: string; name?: string; role?: string };
  conversation?: { id: string };
  replyToId?: string;
  text?: string;
  [field: string]: unknown;
}

/** A watermark-ordered page of a conversation's activities, as GET .../activities and the stream return. */
export interface ActivitySet {
  activities: ChannelActivity[];
  watermark: string;
}

export interface ConversationInfo {
  conversationId: string;
  token: string;
  expires_in: number;
}

/** Why a Direct Line request was refused; the HTTP layer maps each to a status and a message. */
export class DirectLineError extends Error {
  override name = 'DirectLineError';
  constructor(
    readonly code: 'BadArgument' | 'TokenExpired' | 'Forbidden' | 'NotFound' | 'BotError' | 'TooLarge',
    message: string,
  ) {
    super(message);
  }
}

export interface LocalDirectLineOptions {
  /** Hands a user's activity to the bot and resolves when the bot's turn is over. */
  deliver: (activity: ChannelActivity) => Promise<void>;
  /** Where the bot's replies go: this server's Bot Connector endpoints. Known only once listening. */
  serviceUrl: () => string;
  bot: { id: string; name: string };
  tokens?: DirectLineTokens;
  /** A conversation nobody has touched for this long is forgotten. */
  idleSeconds?: number;
  /** The newest activities kept per conversation; clients that fall further behind start from the oldest kept. */
  maxActivities?: number;
  now?: () => number;
}

interface Conversation {
  id: string;
  userId: string;
  activities: ChannelActivity[];
  /** Watermark of activities[0]: how many were dropped from the front. */
  dropped: number;
  listeners: Set<(set: ActivitySet) => void>;
  touched: number;
}

/** User activities may be of these types; anything else is the bot's or the channel's to send. */
const CLIENT_TYPES = new Set(['message', 'event', 'typing']);
const MAX_TEXT = 10_000;
/** Room for the text, Web Chat's channelData and entities; more is not a chat message. */
const MAX_ACTIVITY_BYTES = 32 * 1024;

/**
 * The Direct Line 3.0 service, in this process: conversations with an ordered activity log and
 * watermarks, user activities handed to the bot, the bot's replies (arriving through the Bot Connector
 * endpoints) appended and pushed to stream listeners. State is in memory: one instance, or sticky sessions.
 */
export class LocalDirectLine {
  readonly tokens: DirectLineTokens;
  private readonly conversations = new Map<string, Conversation>();
  private readonly idleMs: number;
  private readonly maxActivities: number;
  private readonly now: () => number;
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly options: LocalDirectLineOptions) {
    this.tokens = options.tokens ?? new DirectLineTokens();
    this.idleMs = (options.idleSeconds ?? 3600) * 1000;
    this.maxActivities = options.maxActivities ?? 500;
    this.now = options.now ?? Date.now;
    this.sweeper = setInterval(() => this.sweep(), 60_000).unref();
  }

  /** A new conversation for a new user (the token endpoint's local answer). */
  issue(userId: string = unguessableId('dl_')): ConversationInfo & { userId: string } {
    const conversationId = unguessableId('');
    const { token, expiresIn } = this.tokens.issue({ conversationId, userId });
    return { conversationId, userId, token, expires_in: expiresIn };
  }

  /** POST /conversations: opens (or reopens) the conversation the token is bound to. */
  start(token: string | undefined): ConversationInfo {
    const claims = this.claims(token);
    this.open(claims);
    return this.info(claims);
  }

  /** GET /conversations/{id}: reconnecting to an existing conversation. */
  reconnect(token: string | undefined, conversationId: string): ConversationInfo {
    const claims = this.claims(token, conversationId);
    this.existing(conversationId);
    return this.info(claims);
  }

  /** POST /tokens/refresh: the same grant with a fresh expiry. */
  refresh(token: string | undefined): ConversationInfo {
    return this.info(this.claims(token));
  }

  /** POST /conversations/{id}/activities: the user's activity, echoed into the log and handed to the bot. */
  async post(token: string | undefined, conversationId: string, body: unknown): Promise<string> {
    const claims = this.claims(token, conversationId);
    const conversation = this.existing(conversationId);
    const activity = clientActivity(body);
    const posted: ChannelActivity = {
      ...activity,
      channelId: 'directline',
      conversation: { id: conversationId },
      // The token decides who the user is, whatever the body says.
      from: { id: claims.userId, ...(activity.from?.name ? { name: activity.from.name } : {}), role: 'user' },
      recipient: { id: this.options.bot.id, name: this.options.bot.name, role: 'bot' },
    };
    const id = this.append(conversation, posted);
    try {
      await this.options.deliver({ ...posted, id, serviceUrl: this.options.serviceUrl() });
    } catch {
      throw new DirectLineError('BotError', 'The bot could not process this activity; send it again.');
    }
    return id;
  }

  /** GET /conversations/{id}/activities?watermark=: what came after the watermark. */
  read(token: string | undefined, conversationId: string, watermark: string | undefined): ActivitySet {
    this.claims(token, conversationId);
    return this.since(this.existing(conversationId), watermark);
  }

  /** The WebSocket stream: everything after the watermark now, then each new activity as it comes. */
  subscribe(token: string | undefined, conversationId: string, watermark: string | undefined, listener: (set: ActivitySet) => void): () => void {
    this.claims(token, conversationId);
    const conversation = this.existing(conversationId);
    const backlog = this.since(conversation, watermark);
    if (backlog.activities.length > 0) listener(backlog);
    conversation.listeners.add(listener);
    return () => conversation.listeners.delete(listener);
  }

  /** Bot Connector: an activity the bot sends (a reply, a typing indicator, a later message). */
  fromBot(conversationId: string, body: unknown): string {
    const conversation = this.conversations.get(conversationId);
    if (!conversation) throw new DirectLineError('NotFound', 'This conversation does not exist or has expired.');
    if (!body || typeof body !== 'object' || typeof (body as ChannelActivity).type !== 'string') {
      throw new DirectLineError('BadArgument', 'The body must be an activity with a "type".');
    }
    const { serviceUrl: _internal, ...activity } = body as ChannelActivity;
    return this.append(conversation, {
      ...activity,
      channelId: 'directline',
      conversation: { id: conversationId },
      from: { id: this.options.bot.id, name: this.options.bot.name, role: 'bot' },
    });
  }

  /** Bot Connector: an activity the bot replaces (updateActivity). */
  updateFromBot(conversationId: string, activityId: string, body: unknown): string {
    const conversation = this.conversations.get(conversationId);
    const index = conversation?.activities.findIndex((activity) => activity.id === activityId) ?? -1;
    if (!conversation || index < 0) throw new DirectLineError('NotFound', 'No such activity in this conversation.');
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw new DirectLineError('BadArgument', 'The body must be an activity object.');
    const { serviceUrl: _internal, ...activity } = body as ChannelActivity;
    conversation.activities[index] = { ...conversation.activities[index]!, ...activity, id: activityId };
    return activityId;
  }

  /** How many conversations are held (for tests and metrics). */
  get size(): number {
    return this.conversations.size;
  }

  close(): void {
    clearInterval(this.sweeper);
    for (const conversation of this.conversations.values()) conversation.listeners.clear();
    this.conversations.clear();
  }

  private claims(token: string | undefined, conversationId?: string): TokenClaims {
    const claims = this.tokens.verify(token);
    if (!claims) {
      throw new DirectLineError(token ? 'TokenExpired' : 'Forbidden', token ? 'The token is invalid or has expired; get a new one.' : 'Send Authorization: Bearer <token>.');
    }
    if (conversationId !== undefined && claims.conversationId !== conversationId) {
      throw new DirectLineError('Forbidden', 'This token is for another conversation.');
    }
    return claims;
  }

  private info(claims: TokenClaims): ConversationInfo {
    const { token, expiresIn } = this.tokens.issue({ conversationId: claims.conversationId, userId: claims.userId });
    return { conversationId: claims.conversationId, token, expires_in: expiresIn };
  }

  private open(claims: TokenClaims): Conversation {
    const found = this.conversations.get(claims.conversationId);
    if (found) {
      found.touched = this.now();
      return found;
    }
    const conversation: Conversation = { id: claims.conversationId, userId: claims.userId, activities: [], dropped: 0, listeners: new Set(), touched: this.now() };
    this.conversations.set(conversation.id, conversation);
    return conversation;
  }

  private existing(conversationId: string): Conversation {
    const conversation = this.conversations.get(conversationId);
    if (!conversation) throw new DirectLineError('NotFound', 'This conversation does not exist or has expired; start a new one.');
    conversation.touched = this.now();
    return conversation;
  }

  private append(conversation: Conversation, activity: ChannelActivity): string {
    const watermark = conversation.dropped + conversation.activities.length;
    const id = `${conversation.id}|${String(watermark).padStart(7, '0')}`;
    const stored: ChannelActivity = { ...activity, id, timestamp: new Date(this.now()).toISOString() };
    conversation.activities.push(stored);
    if (conversation.activities.length > this.maxActivities) {
      conversation.activities.shift();
      conversation.dropped += 1;
    }
    conversation.touched = this.now();
    const set: ActivitySet = { activities: [stored], watermark: String(watermark + 1) };
    for (const listener of conversation.listeners) listener(set);
    return id;
  }

  private since(conversation: Conversation, watermark: string | undefined): ActivitySet {
    const end = conversation.dropped + conversation.activities.length;
    const from = /^\d+$/.test(watermark ?? '') ? Math.min(Number(watermark), end) : 0;
    const start = Math.max(from, conversation.dropped) - conversation.dropped;
    return { activities: conversation.activities.slice(start), watermark: String(end) };
  }

  private sweep(): void {
    const cutoff = this.now() - this.idleMs;
    for (const [id, conversation] of this.conversations) {
      if (conversation.touched < cutoff && conversation.listeners.size === 0) this.conversations.delete(id);
    }
  }
}

/** The fields a client may set on an activity it posts; the rest the service fills in. */
function clientActivity(body: unknown): ChannelActivity {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new DirectLineError('BadArgument', 'The body must be an activity object.');
  const activity = body as ChannelActivity;
  if (typeof activity.type !== 'string' || !CLIENT_TYPES.has(activity.type)) {
    throw new DirectLineError('BadArgument', `"type" must be one of ${[...CLIENT_TYPES].join(', ')}.`);
  }
  if (activity.text !== undefined && typeof activity.text !== 'string') throw new DirectLineError('BadArgument', '"text" must be a string.');
  if ((activity.text?.length ?? 0) > MAX_TEXT) throw new DirectLineError('TooLarge', `"text" is longer than ${MAX_TEXT} characters.`);
  if (Buffer.byteLength(JSON.stringify(activity)) > MAX_ACTIVITY_BYTES) throw new DirectLineError('TooLarge', `The activity is larger than ${MAX_ACTIVITY_BYTES / 1024} KB.`);
  const { id: _id, timestamp: _timestamp, serviceUrl: _serviceUrl, channelId: _channelId, recipient: _recipient, conversation: _conversation, ...rest } = activity;
  return rest as ChannelActivity;
}
