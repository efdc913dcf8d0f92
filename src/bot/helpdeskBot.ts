import { randomUUID } from 'node:crypto';
import {
  ActivityHandler,
  ConversationState,
  TurnContext,
  UserState,
  type Activity,
  type StatePropertyAccessor,
  type Storage,
} from 'botbuilder';
import { isLanguage, type Language } from '../content/languages';
import type { StoredDialog, TurnResult } from '../conversation/engine';
import type { Runtime } from '../conversation/runtime';
import type { UserMessage } from '../conversation/understand';
import type { Logger } from '../logger';
import { renderActivities } from './activities';

interface Profile {
  language?: Language;
}

/**
 * The Bot Framework face of the helpdesk: turns activities into engine turns and engine results
 * into activities, and keeps the dialog (per conversation) and the chosen language (per user).
 */
export class HelpdeskBot extends ActivityHandler {
  private readonly conversationState: ConversationState;
  private readonly userState: UserState;
  private readonly dialog: StatePropertyAccessor<StoredDialog | undefined>;
  private readonly profile: StatePropertyAccessor<Profile>;

  constructor(
    /** The current content's engine; it changes when the content is reloaded. */
    private readonly runtime: () => Runtime,
    storage: Storage,
    private readonly logger: Logger,
  ) {
    super();
    this.conversationState = new ConversationState(storage);
    this.userState = new UserState(storage);
    this.dialog = this.conversationState.createProperty('dialog');
    this.profile = this.userState.createProperty('profile');

    this.onMessage(async (context, next) => {
      const activity = context.activity;
      // In Teams channels the bot's own @mention is part of the text.
      const text = activity.text === undefined ? undefined : TurnContext.removeRecipientMention(activity) ?? activity.text;
      await this.respond(context, {
        ...(text !== undefined ? { text } : {}),
        ...(activity.value !== undefined ? { value: activity.value } : {}),
        hasAttachments: (activity.attachments?.length ?? 0) > 0,
      });
      await next();
    });

    this.onMembersAdded(async (context, next) => {
      const botId = context.activity.recipient?.id;
      const newcomers = (context.activity.membersAdded ?? []).filter((member) => member.id !== botId);
      if (newcomers.length > 0) await this.respond(context, undefined);
      await next();
    });
  }

  override async run(context: TurnContext): Promise<void> {
    await super.run(context);
    // Saved only when the turn completed, so a failed turn leaves the conversation where it was.
    await this.conversationState.saveChanges(context);
    await this.userState.saveChanges(context);
  }

  private async respond(context: TurnContext, message: UserMessage | undefined): Promise<void> {
    const activity = context.activity;
    const profile = await this.profile.get(context, {});
    const stored = await this.dialog.get(context);
    const started = Date.now();
    const result: TurnResult = await this.runtime().engine.turn({
      ...(stored ? { stored } : {}),
      ...(isLanguage(profile.language) ? { preferredLanguage: profile.language } : {}),
      ...(activity.locale ? { channelLocale: activity.locale } : {}),
      ...(activity.localTimezone ? { timeZone: activity.localTimezone } : {}),
      ...(message ? { message } : {}),
      turnId: turnIdOf(activity),
      privateChat: isPrivateChat(activity),
    });
    await this.dialog.set(context, result.stored);
    if (result.chosenLanguage) await this.profile.set(context, { ...profile, language: result.chosenLanguage });

    await context.sendActivities(renderActivities(result, activity.channelId, activity.from?.id));
    this.logger.info(
      {
        channel: activity.channelId,
        topic: result.trace.topic,
        state: result.trace.state,
        locale: result.trace.locale,
        ms: Date.now() - started,
      },
      'turn',
    );
  }
}

/** Teams says "personal" for a one-to-one chat; other channels mark group conversations with isGroup. */
function isPrivateChat(activity: Partial<Activity>): boolean {
  const conversation = activity.conversation;
  if (!conversation) return true;
  if (conversation.conversationType) return conversation.conversationType === 'personal';
  return conversation.isGroup !== true;
}

/** Stable across redeliveries of the same activity: the channel keeps its id. */
function turnIdOf(activity: Partial<Activity>): string {
  return `${activity.conversation?.id ?? 'unknown'}|${activity.id ?? randomUUID()}`;
}
