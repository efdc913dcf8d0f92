import { ActivityTypes, TurnContext, type Middleware } from 'botbuilder';

/**
 * Takes the bot's own @mention out of a message's text before the bot reads it ("<at>Helpdesk</at> locked"
 * in a Teams channel is "locked"). The mention entities stay, so the bot can still tell it was addressed.
 */
export class RemoveRecipientMention implements Middleware {
  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    const activity = context.activity;
    if (activity.type === ActivityTypes.Message && typeof activity.text === 'string') {
      activity.text = TurnContext.removeRecipientMention(activity) ?? activity.text;
    }
    await next();
  }
}
