import { createHash, randomUUID } from 'node:crypto';
import {
  ActivityHandler,
  ActivityTypes,
  ConversationState,
  DeliveryModes,
  TurnContext,
  UserState,
  type Activity,
  type Storage,
} from 'botbuilder';
import { isLanguage, languageOf, type Language } from '../dialog/languages';
import { resolveLanguage } from '../conversation/language';
import type { StoredDialog, TurnResult } from '../conversation/engine';
import { Conversation } from '../conversation/conversation';
import type { Runtime } from '../conversation/runtime';
import { turnIdOf } from '../conversation/turnId';
import type { UserMessage } from '../conversation/understand';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import { ETagConflictError, StateUnavailableError } from '../state/stateStore';
import { InProcessTurnGate, type TurnGate } from '../state/turnGate';
import { renderActivities } from './activities';
import { ANSWER_MASK_FIELD } from '../directLine/localDirectLine';
import { saveTurn } from './storage';
import { sharedSecretCard, type TeamsReplyContext } from './teamsCard';

interface Profile {
  language?: Language;
}

export interface HelpdeskBotOptions {
  /** The current content's engine; it changes when the content is reloaded. */
  runtime: () => Runtime;
  storage: Storage;
  logger: Logger;
  /** One turn at a time per conversation, redeliveries skipped; in-process unless Redis is configured. */
  gate?: TurnGate;
  metrics?: Metrics;
  /** Told of each turn that reached the dialog, once its replies are out (insights); must not wait or throw. */
  onTurn?: (turn: {
    conversation: string;
    channel: string;
    text?: string;
    result: Pick<TurnResult, 'trace' | 'said' | 'heard'>;
  }) => void;
  /** Keeps a message to send into this conversation later (a lock's end); called once the turn's replies are out. */
  remind?: (context: TurnContext, reminder: PendingReminder) => Promise<void>;
}

/** Channels where the page's Web Chat says when it joined, with its language (Azure's hosted Web Chat does not). */
const WEB_CHAT_CHANNELS = new Set(['directline']);

/** The event that tells the chat page the candidate's language changed (the page follows it). */
export const LANGUAGE_EVENT = 'webchat/language';

/**
 * The address of the client that posted the activity, set by the bot's own Direct Line (whose user ids are
 * made up per token, so they say nothing about who is asking). Set only on the in-process path.
 */
export const CLIENT_ADDRESS = Symbol('clientAddress');

/** The turn's states: conversation and user, each with its storage key and its value as read. */
const STATES = Symbol('turnStates');

interface LoadedState {
  key: string;
  value: Record<string, unknown>;
  /** The value as read, to tell whether the turn changed it. */
  loaded: string;
}

/** The replies of a turn, held back until its state is saved. */
const PENDING = Symbol('pendingReplies');

/** A message for later: its text, and the activity it is sent as in this channel (with the menu's buttons). */
export interface PendingReminder {
  at: string;
  text: string;
  locale: string;
  activity: Partial<Activity>;
}

interface Pending {
  replies: Partial<Activity>[];
  /** Absent when the turn did not reach the dialog. */
  trace: TurnResult['trace'] | undefined;
  reminder?: PendingReminder;
  said?: string[];
  heard?: TurnResult['heard'];
}

/**
 * The Bot Framework face of the helpdesk: turns activities into engine turns and engine results into
 * activities, and keeps the dialog (per conversation) and the chosen language (per user). A turn's replies
 * are sent only once its state is saved, so a candidate never sees an answer the bot then forgets.
 */
export class HelpdeskBot extends ActivityHandler {
  /** botbuilder's state naming: where a conversation's and a user's state are stored. */
  private readonly conversationState: ConversationState;
  private readonly userState: UserState;
  private readonly gate: TurnGate;

  constructor(private readonly options: HelpdeskBotOptions) {
    super();
    this.conversationState = new ConversationState(options.storage);
    this.userState = new UserState(options.storage);
    this.gate = options.gate ?? new InProcessTurnGate();

    this.onMessage(async (context, next) => {
      const activity = context.activity;
      // An ID or secret number typed where others read it: warned about, and not read.
      if (activity.channelId === 'msteams' && !isPrivateChat(activity) && this.looksLikePrivateNumbers(activity)) {
        this.warnSharedSecret(context);
        return await next();
      }
      await this.respond(context, {
        ...(activity.text !== undefined ? { text: activity.text } : {}),
        ...(activity.value !== undefined ? { value: activity.value } : {}),
        hasAttachments: (activity.attachments?.length ?? 0) > 0,
      });
      await next();
    });

    this.onMembersAdded(async (context, next) => {
      const botId = context.activity.recipient?.id;
      const added = context.activity.membersAdded ?? [];
      const newcomers = added.filter((member) => member.id !== botId);
      // Installing the app in a personal chat may announce only the bot: greet then, once.
      const installed =
        context.activity.channelId === 'msteams' &&
        added.some((member) => member.id === botId) &&
        !this.storedDialog(context);
      // Web Chat greets on its join event instead, which carries the page's language.
      if ((newcomers.length > 0 || installed) && !WEB_CHAT_CHANNELS.has(context.activity.channelId))
        await this.respond(context, undefined);
      await next();
    });

    this.onEvent(async (context, next) => {
      const { name, value } = context.activity;
      // The page opened: greet once, in the page's language (the event's locale).
      if (name === 'webchat/join' && !this.storedDialog(context)) {
        // The page says which language it shows; Web Chat may not have put it on the activity yet.
        const shown = (value as { language?: unknown } | undefined)?.language;
        if (isLanguage(shown)) context.activity.locale = shown;
        await this.respond(context, undefined);
      }
      // The page's language switcher: the same as the candidate asking for that language.
      if (name === 'webchat/setLanguage' && isLanguage(value))
        await this.respond(context, { value: { language: value } });
      await next();
    });
  }

  override async run(context: TurnContext): Promise<void> {
    const activity = context.activity;
    if (!isForTheBot(activity)) return;
    const started = process.hrtime.bigint();
    try {
      // The queue is named by the conversation's state key: with Redis they share a slot, so the write can
      // check the turn's place in the queue.
      const keys = [this.conversationState.getStorageKey(context)!, this.userState.getStorageKey(context)!];
      const outcome = await this.gate.run(
        keys[0]!,
        activity.id,
        async (fence, io) => {
          // With Redis the gate read both states in the call that let the turn in.
          const found = io?.items ?? (await this.read(keys));
          const states: LoadedState[] = keys.map((key) => {
            const value = found[key]?.value ?? {};
            return { key, value, loaded: JSON.stringify(value) };
          });
          context.turnState.set(STATES, states);
          await super.run(context);
          // Saved before anything is sent, both states in one write that Redis refuses once the turn has given
          // up on it or lost its place: a failed save leaves the conversation where it was, and nothing of the
          // turn lands later, so "try again" is true.
          const changed = states.filter(({ value, loaded }) => JSON.stringify(value) !== loaded);
          if (io) {
            // Replies that ride the HTTP response cannot cross the next turn's: the save lets it in at once.
            // Replies posted to the channel go out first, so consecutive turns' replies arrive in order.
            const inResponse = activity.deliveryMode === DeliveryModes.ExpectReplies;
            await io.finish(
              changed.map(({ key, value }) => ({ key, value })),
              inResponse,
            );
          } else {
            await saveTurn(
              this.options.storage,
              Object.fromEntries(changed.map(({ key, value }) => [key, { ...value, eTag: '*' }])),
              fence,
            );
          }
          const pending = context.turnState.get(PENDING) as Pending | undefined;
          if (pending) await context.sendActivities(pending.replies);
          if (pending?.reminder && this.options.remind) await this.options.remind(context, pending.reminder);
          return pending;
        },
        keys,
      );
      if (outcome.duplicate) {
        this.options.metrics?.duplicates.inc();
        this.options.logger.info({ channel: activity.channelId }, 'redelivered activity skipped');
        return;
      }
      const trace = outcome.value?.trace;
      if (trace) {
        try {
          this.options.onTurn?.({
            conversation: activity.conversation?.id ?? '',
            channel: activity.channelId,
            ...(typeof activity.text === 'string' ? { text: activity.text } : {}),
            result: { trace, said: outcome.value?.said ?? [], heard: outcome.value?.heard },
          });
        } catch (error) {
          // The replies are out: what watches the turn cannot make it fail.
          this.options.logger.warn({ err: { name: (error as Error).name } }, 'turn observer failed');
        }
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        this.options.metrics?.turnSeconds.observe(seconds);
        this.options.metrics?.turns.inc({ topic: trace.topic, language: trace.locale });
        this.options.logger.info(
          {
            channel: activity.channelId,
            topic: trace.topic,
            state: trace.state,
            locale: trace.locale,
            ms: Math.round(seconds * 1000),
          },
          'turn',
        );
      }
    } catch (error) {
      if (!(error instanceof StateUnavailableError || error instanceof ETagConflictError)) throw error;
      this.options.metrics?.stateErrors.inc({ kind: error instanceof ETagConflictError ? 'conflict' : 'unavailable' });
      this.options.logger.warn(
        { err: { name: error.name, message: error.message } },
        'conversation state unavailable; asked the user to try again',
      );
      await context.sendActivity(this.unavailable(context));
    }
  }

  /** The states from the bot's storage, without their eTags (the turn's own place in the queue guards them). */
  private async read(keys: string[]): Promise<Record<string, { value: Record<string, unknown> }>> {
    const items = await this.options.storage.read(keys);
    return Object.fromEntries(
      Object.entries(items).map(([key, item]) => {
        const { eTag: _eTag, ...value } = item as Record<string, unknown>;
        return [key, { value }];
      }),
    );
  }

  /** The turn's conversation and user state (in that order), once read. */
  private loaded(context: TurnContext): LoadedState[] | undefined {
    return context.turnState.get(STATES) as LoadedState[] | undefined;
  }

  private storedDialog(context: TurnContext): StoredDialog | undefined {
    return this.loaded(context)?.[0]!.value.dialog as StoredDialog | undefined;
  }

  /** The language the user chose earlier, when their state was read in this turn. */
  savedLanguage(context: TurnContext): Language | undefined {
    const profile = this.loaded(context)?.[1]!.value.profile as Profile | undefined;
    return isLanguage(profile?.language) ? profile.language : undefined;
  }

  /** The language of a reply the engine did not write (an error): the user's choice, else the channel's. */
  replyLanguage(context: TurnContext): Language {
    const preferred = this.savedLanguage(context);
    return resolveLanguage({ ...(preferred ? { preferred } : {}), locale: context.activity.locale }).language;
  }

  /** "Temporarily unavailable, try again in a moment", with the article's manual steps, in the user's language. */
  private unavailable(context: TurnContext): Partial<Activity> {
    const { i18n, content } = this.options.runtime();
    const language = this.replyLanguage(context);
    return {
      type: 'message',
      textFormat: 'markdown',
      locale: language,
      text: i18n.getFixedT(language, 'common')('unavailable', { links: content.dialog.links }),
    };
  }

  /** Typed text (not a card click) holding a word that would be a valid ID or secret number. */
  private looksLikePrivateNumbers(activity: Partial<Activity>): boolean {
    if (activity.value !== undefined || typeof activity.text !== 'string') return false;
    const { content } = this.options.runtime();
    const validators = Object.values(content.validators).filter((validator) => validator.mask !== 'none');
    const now = new Date();
    return activity.text
      .split(/\s+/)
      .map((word) => word.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, ''))
      .some((word) => word && validators.some((validator) => validator.validate(word, now).ok));
  }

  /** The warning for numbers typed in a shared chat; the conversation stays where it was. */
  private warnSharedSecret(context: TurnContext): void {
    const language = this.replyLanguage(context);
    const teams = this.teamsContext(context, language);
    const card = sharedSecretCard(teams);
    const reply: Partial<Activity> = {
      type: 'message',
      locale: language,
      summary: teams.text('chat.sharedSecret'),
      attachments: [card],
    };
    context.turnState.set(PENDING, { replies: [reply], trace: undefined });
  }

  private teamsContext(context: TurnContext, language: Language): TeamsReplyContext {
    const t = this.options.runtime().i18n.getFixedT(language, 'teams');
    return {
      privateChat: isPrivateChat(context.activity),
      localeSupported: languageOf(context.activity.locale) !== undefined,
      ...(context.activity.recipient?.id ? { botId: context.activity.recipient.id } : {}),
      text: (key, options) => t(key, options ?? {}),
    };
  }

  private async respond(context: TurnContext, message: UserMessage | undefined): Promise<void> {
    const activity = context.activity;
    const [conversationState, userState] = this.loaded(context)!;
    const profile = (userState!.value.profile ?? {}) as Profile;
    const saved = this.savedLanguage(context);
    const conversation = new Conversation(this.storedDialog(context), saved);
    const result = await conversation.turn(this.options.runtime().engine, {
      ...(activity.locale ? { channelLocale: activity.locale } : {}),
      ...(activity.localTimezone ? { timeZone: activity.localTimezone } : {}),
      ...(message ? { message } : {}),
      turnId: turnIdOf(activity.conversation?.id ?? 'unknown', activity.id ?? randomUUID()),
      privateChat: isPrivateChat(activity),
      requester: requesterOf(context),
    });
    conversationState!.value.dialog = conversation.stored;
    const chosen = conversation.preferredLanguage;
    if (chosen !== saved) userState!.value.profile = { ...profile, language: chosen };
    const teams = activity.channelId === 'msteams' ? this.teamsContext(context, result.language) : undefined;
    const replies = renderActivities(result, activity.channelId, activity.from?.id, teams);
    // The chat page shows its own words (header, placeholder) in a language too: it follows the candidate's choice.
    if (chosen && chosen !== saved && WEB_CHAT_CHANNELS.has(activity.channelId))
      replies.push({ type: ActivityTypes.Event, name: LANGUAGE_EVENT, value: chosen });
    // Asking for a secret: the bot's own Direct Line then keeps the answer masked in its transcript.
    const mask = this.options.runtime().engine.answerMask(result.trace.expecting);
    const question = replies.find((reply) => reply.type === 'message');
    if (mask && question) question.channelData = { ...question.channelData, [ANSWER_MASK_FIELD]: mask };
    const pending: Pending = {
      replies,
      trace: result.trace,
      ...(result.reminder ? { reminder: reminderOf(activity, result, result.reminder, teams) } : {}),
      said: result.said,
      ...(result.heard ? { heard: result.heard } : {}),
    };
    context.turnState.set(PENDING, pending);
  }
}

/** The reminder as its channel will show it: its text with the main menu's buttons, like a menu reply there. */
function reminderOf(
  activity: Activity,
  result: TurnResult,
  reminder: NonNullable<TurnResult['reminder']>,
  teams: TeamsReplyContext | undefined,
): PendingReminder {
  const [message] = renderActivities(
    {
      ...result,
      messages: [reminder.text],
      said: [],
      buttons: reminder.buttons,
      trace: { ...result.trace, expecting: null },
    },
    activity.channelId,
    activity.from?.id,
    teams,
  );
  return { at: reminder.at, text: reminder.text, locale: result.language, activity: message! };
}

/**
 * A stable key of the person writing, for the account service's limits across conversations: the client's
 * address on the bot's own Direct Line, otherwise the channel's user id. Hashed, so no raw id leaves the bot.
 */
function requesterOf(context: TurnContext): string {
  const address = context.turnState.get(CLIENT_ADDRESS) as string | undefined;
  const who = address ? `address:${address}` : `user:${context.activity.channelId}:${context.activity.from?.id}`;
  return createHash('sha256').update(who).digest('base64url');
}

/**
 * In Teams group chats and channels the bot speaks only when @mentioned or when a button of its cards is
 * clicked: other messages and members joining get no answer and leave the conversation's state alone.
 */
function isForTheBot(activity: Partial<Activity>): boolean {
  if (activity.channelId !== 'msteams' || isPrivateChat(activity)) return true;
  if (activity.type !== 'message') return false;
  // A click on one of the bot's cards comes with the button's payload and no mention.
  if (activity.value !== undefined && activity.value !== null) return true;
  return TurnContext.getMentions(activity).some((mention) => mention.mentioned?.id === activity.recipient?.id);
}

/** Teams says "personal" for a one-to-one chat; other channels mark group conversations with isGroup. */
function isPrivateChat(activity: Partial<Activity>): boolean {
  const conversation = activity.conversation;
  if (!conversation) return true;
  if (conversation.conversationType) return conversation.conversationType === 'personal';
  return conversation.isGroup !== true;
}
