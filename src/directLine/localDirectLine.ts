import { maskValue } from '../content/validators';
import { MAX_ACTIVITY_TEXT } from '../dialog/limits';
import {
  MemoryConversationStore,
  type ActivitySet,
  type AnswerMask,
  type ChannelActivity,
  type ConversationStore,
} from './conversationStore';
import { DirectLineTokens, unguessableId, type TokenClaims } from './tokens';
import type { RateLimiter } from '../state/rateLimit';

export type { ActivitySet, ChannelActivity };

/**
 * Set by the bot in a question's channelData when the answer is a secret (or partly private): the user's next
 * message is then kept in the transcript masked, so neither Redis nor a reconnecting client ever gets it in clear.
 */
export const ANSWER_MASK_FIELD = 'helpdeskAnswerMask';

/** Who posted an activity, as far as the HTTP request tells. */
export interface PostingClient {
  address?: string;
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
    readonly code:
      | 'BadArgument'
      | 'TokenExpired'
      | 'Forbidden'
      | 'NotFound'
      | 'BotError'
      | 'TooLarge'
      | 'TooManyRequests'
      | 'ServiceUnavailable',
    message: string,
    /** For TooManyRequests and ServiceUnavailable: when to try again. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

/** How long a client waits before trying again while the conversation store cannot be reached. */
export const UNAVAILABLE_RETRY_SECONDS = 5;

export interface LocalDirectLineOptions {
  /**
   * Hands a user's activity to the bot and resolves when the bot's turn is over; `client` says where it came
   * from (this channel's user ids are made up per token, so the address is what tells one person from another).
   */
  deliver: (activity: ChannelActivity, client: PostingClient) => Promise<void>;
  /** Where the bot's replies go: this server's Bot Connector endpoints. Known only once listening. */
  serviceUrl: () => string;
  bot: { id: string; name: string };
  tokens?: DirectLineTokens;
  /** Where conversations live: this process's memory by default, or Redis for several instances. */
  store?: ConversationStore;
  /** How many activities one conversation may post, counted per conversation id. */
  posts?: { limiter: RateLimiter; perMinute: number };
  now?: () => number;
}

/** User activities may be of these types; anything else is the bot's or the channel's to send. */
const CLIENT_TYPES = new Set(['message', 'event', 'typing']);
/** Room for the text, Web Chat's channelData and entities; more is not a chat message. */
const MAX_ACTIVITY_BYTES = 32 * 1024;

/**
 * The Direct Line 3.0 service, served by the bot: conversations with an ordered activity log and
 * watermarks, user activities handed to the bot, the bot's replies (arriving through the Bot Connector
 * endpoints) appended and pushed to stream listeners. Conversations live in a ConversationStore.
 */
export class LocalDirectLine {
  readonly tokens: DirectLineTokens;
  private readonly store: ConversationStore;

  constructor(private readonly options: LocalDirectLineOptions) {
    this.tokens = options.tokens ?? new DirectLineTokens();
    const now = options.now ?? Date.now;
    this.store =
      options.store ??
      new MemoryConversationStore({ maxActivities: 500, maxBytes: 256 * 1024, idleSeconds: 3600, now });
  }

  /** A new conversation for a new user (the token endpoint's local answer). */
  issue(userId: string = unguessableId('dl_')): ConversationInfo & { userId: string } {
    const conversationId = unguessableId('');
    const { token, expiresIn } = this.tokens.issue({ conversationId, userId });
    return { conversationId, userId, token, expires_in: expiresIn };
  }

  /** POST /conversations: opens (or reopens) the conversation the token is bound to. */
  async start(token: string | undefined): Promise<ConversationInfo> {
    const claims = this.claims(token);
    if (!(await reachable(() => this.store.open(claims.conversationId, claims.userId))))
      throw new DirectLineError('Forbidden', 'This conversation belongs to another user.');
    return this.info(claims);
  }

  /** GET /conversations/{id}: reconnecting to an existing conversation. */
  async reconnect(token: string | undefined, conversationId: string): Promise<ConversationInfo> {
    const claims = this.claims(token, conversationId);
    await this.existing(conversationId);
    return this.info(claims);
  }

  /** POST /tokens/refresh: the same grant with a fresh expiry. */
  refresh(token: string | undefined): ConversationInfo {
    return this.info(this.claims(token));
  }

  /** POST /conversations/{id}/activities: the user's activity, echoed into the log and handed to the bot. */
  async post(
    token: string | undefined,
    conversationId: string,
    body: unknown,
    client: PostingClient = {},
  ): Promise<string> {
    const claims = this.claims(token, conversationId);
    await this.existing(conversationId);
    const activity = {
      ...clientActivity(body),
      channelId: 'directline',
      conversation: { id: conversationId },
    };
    // The token decides who the user is, whatever the body says.
    activity.from = { id: claims.userId, ...(activity.from?.name ? { name: activity.from.name } : {}), role: 'user' };
    activity.recipient = { id: this.options.bot.id, name: this.options.bot.name, role: 'bot' };
    await this.withinRate(conversationId);
    // An answer to a secret question is kept (and echoed, and sent again on reconnect) masked; the bot gets it whole.
    const mask = activity.text ? await reachable(() => this.store.answerMask(conversationId)) : undefined;
    // Sent again (a balancer or the page retrying after no answer): kept once; handed to the bot again, which
    // skips an activity id it has already answered, and answers one whose first delivery failed.
    const clientId = clientActivityId(activity);
    const posted = await reachable(() =>
      this.store.append(conversationId, mask ? masked(activity, mask) : activity, clientId),
    );
    try {
      const { id, timestamp = new Date().toISOString() } = posted;
      await this.options.deliver({ ...activity, id, timestamp, serviceUrl: this.options.serviceUrl() }, client);
    } catch {
      throw new DirectLineError('BotError', 'The bot could not process this activity; send it again.');
    }
    return posted.id;
  }

  /** GET /conversations/{id}/activities?watermark=: what came after the watermark. */
  async read(token: string | undefined, conversationId: string, watermark: string | undefined): Promise<ActivitySet> {
    this.claims(token, conversationId);
    await this.existing(conversationId);
    return reachable(() => this.store.since(conversationId, watermark));
  }

  /**
   * The WebSocket stream: everything after the watermark now, then each new activity as it comes — in order,
   * none twice, none skipped: whenever the next one is not the one expected, what is missing is read back.
   */
  async subscribe(
    token: string | undefined,
    conversationId: string,
    watermark: string | undefined,
    listener: (set: ActivitySet) => void,
  ): Promise<() => void> {
    this.claims(token, conversationId);
    await this.existing(conversationId);
    let sent = -1;
    let reading: Promise<void> | undefined;
    let readAgain = false;
    const catchUp = (from: string | undefined) => {
      if (reading) {
        readAgain = true;
        return reading;
      }
      reading = (async () => {
        do {
          readAgain = false;
          const set = await this.store.since(conversationId, sent < 0 ? from : String(sent));
          const mark = Number(set.watermark);
          if (mark > sent) {
            if (set.activities.length > 0) listener(set);
            sent = mark;
          }
        } while (readAgain);
      })().finally(() => (reading = undefined));
      return reading;
    };
    // Listen first, then read the backlog: nothing falls between the two.
    const stop = await this.store.listen(conversationId, (activity, mark) => {
      if (sent >= 0 && !reading && activity && mark === sent + 1) {
        sent = mark;
        listener({ activities: [activity], watermark: String(mark) });
      } else if (!activity || mark > sent) {
        void catchUp(undefined).catch(() => undefined);
      }
    });
    try {
      await catchUp(watermark);
    } catch (error) {
      stop();
      throw error;
    }
    return stop;
  }

  /** Keeps a conversation alive while a stream is open on it. */
  async touch(conversationId: string): Promise<void> {
    await this.store.find(conversationId);
  }

  /** Bot Connector: an activity the bot sends (a reply, a typing indicator, a later message). */
  async fromBot(conversationId: string, body: unknown): Promise<string> {
    await this.existing(conversationId);
    if (!body || typeof body !== 'object' || typeof (body as ChannelActivity).type !== 'string') {
      throw new DirectLineError('BadArgument', 'The body must be an activity with a "type".');
    }
    const { serviceUrl: _internal, id: _id, ...activity } = body as ChannelActivity;
    // A message says what the next answer is: a question for a secret marks it, any other message clears it.
    if (activity.type === 'message') {
      await reachable(() => this.store.setAnswerMask(conversationId, answerMaskOf(activity)));
    }
    const stored = await reachable(() =>
      this.store.append(conversationId, {
        ...activity,
        channelId: 'directline',
        conversation: { id: conversationId },
        from: { id: this.options.bot.id, name: this.options.bot.name, role: 'bot' },
      }),
    );
    return stored.id;
  }

  /** Bot Connector: an activity the bot replaces (updateActivity). */
  async updateFromBot(conversationId: string, activityId: string, body: unknown): Promise<string> {
    if (!body || typeof body !== 'object' || Array.isArray(body))
      throw new DirectLineError('BadArgument', 'The body must be an activity object.');
    const { serviceUrl: _internal, id: _id, ...activity } = body as ChannelActivity;
    if (!(await reachable(() => this.store.update(conversationId, activityId, activity as ChannelActivity))))
      throw new DirectLineError('NotFound', 'No such activity in this conversation.');
    return activityId;
  }

  async close(): Promise<void> {
    await this.store.close();
  }

  private claims(token: string | undefined, conversationId?: string): TokenClaims {
    const claims = this.tokens.verify(token);
    if (!claims) {
      throw new DirectLineError(
        token ? 'TokenExpired' : 'Forbidden',
        token ? 'The token is invalid or has expired; get a new one.' : 'Send Authorization: Bearer <token>.',
      );
    }
    if (conversationId !== undefined && claims.conversationId !== conversationId) {
      throw new DirectLineError('Forbidden', 'This token is for another conversation.');
    }
    return claims;
  }

  private info(claims: TokenClaims): ConversationInfo {
    const { token, expiresIn } = this.tokens.issue(claims);
    return { conversationId: claims.conversationId, token, expires_in: expiresIn };
  }

  /** Counts a post against its conversation's rate; past it, the client is told when to post again. */
  private async withinRate(conversationId: string): Promise<void> {
    if (!this.options.posts) return;
    const { limiter, perMinute } = this.options.posts;
    const decision = await reachable(() => limiter.take(conversationId));
    if (!decision.allowed)
      throw new DirectLineError(
        'TooManyRequests',
        `This conversation may post at most ${perMinute} activities a minute; ` +
          `try again in ${decision.retryAfterSeconds} seconds.`,
        decision.retryAfterSeconds,
      );
  }

  private async existing(conversationId: string): Promise<void> {
    if (!(await reachable(() => this.store.find(conversationId))))
      throw new DirectLineError('NotFound', 'This conversation does not exist or has expired; start a new one.');
  }
}

/** A store or counter call; when it fails (Redis down or hung) the client is told to come back shortly. */
async function reachable<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch {
    throw new DirectLineError(
      'ServiceUnavailable',
      'The conversation store cannot be reached right now; try again in a few seconds.',
      UNAVAILABLE_RETRY_SECONDS,
    );
  }
}

function answerMaskOf(activity: ChannelActivity): AnswerMask | undefined {
  const data = activity.channelData as Record<string, unknown> | undefined;
  const mask = data?.[ANSWER_MASK_FIELD];
  return mask === 'partial' || mask === 'full' ? mask : undefined;
}

/** The activity as the transcript keeps it: its text masked, and nothing else that could carry the text. */
function masked(activity: ChannelActivity, mask: AnswerMask): ChannelActivity {
  const { text, textFormat: _format, entities: _entities, attachments: _attachments, ...rest } = activity;
  return { ...rest, text: maskValue(text ?? '', mask) };
}

/** The id Web Chat gives each activity it sends (channelData.clientActivityID), when there is a usable one. */
function clientActivityId(activity: ChannelActivity): string | undefined {
  const id = (activity.channelData as { clientActivityID?: unknown } | undefined)?.clientActivityID;
  return typeof id === 'string' && id.length > 0 && id.length <= 100 ? id : undefined;
}

/** The fields a client may set on an activity it posts; the rest the service fills in. */
function clientActivity(body: unknown): ChannelActivity {
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw new DirectLineError('BadArgument', 'The body must be an activity object.');
  const activity = body as ChannelActivity;
  if (typeof activity.type !== 'string' || !CLIENT_TYPES.has(activity.type)) {
    throw new DirectLineError('BadArgument', `"type" must be one of ${[...CLIENT_TYPES].join(', ')}.`);
  }
  if (activity.text !== undefined && typeof activity.text !== 'string')
    throw new DirectLineError('BadArgument', '"text" must be a string.');
  for (const field of ['locale', 'localTimezone', 'name'] as const)
    if (activity[field] !== undefined && (typeof activity[field] !== 'string' || activity[field].length > 100))
      throw new DirectLineError('BadArgument', `"${field}" must be a string of at most 100 characters.`);
  if ((activity.text?.length ?? 0) > MAX_ACTIVITY_TEXT)
    throw new DirectLineError('TooLarge', `"text" is longer than ${MAX_ACTIVITY_TEXT} characters.`);
  if (Buffer.byteLength(JSON.stringify(activity)) > MAX_ACTIVITY_BYTES)
    throw new DirectLineError('TooLarge', `The activity is larger than ${MAX_ACTIVITY_BYTES / 1024} KB.`);
  const {
    id: _id,
    timestamp: _timestamp,
    serviceUrl: _serviceUrl,
    channelId: _channelId,
    recipient: _recipient,
    conversation: _conversation,
    ...rest
  } = activity;
  return rest as ChannelActivity;
}
