import { ActivityTypes, DeliveryModes, TurnContext, type Middleware } from 'botbuilder';

/**
 * "The bot is typing…" while a turn takes longer than `delayMs` (an account-service call, a slow Redis),
 * repeated every `periodMs` until the reply goes out. Quick turns send none: a flash of dots before every
 * instant answer is noise. Not in Teams channels, which do not show a bot's typing indicator, nor when the
 * caller collects the replies in the HTTP response (expectReplies).
 */
export class TypingIndicator implements Middleware {
  constructor(
    private readonly delayMs = 600,
    private readonly periodMs = 2500,
  ) {}

  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    if (!wantsTyping(context)) return next();
    let timer: NodeJS.Timeout | undefined;
    let finished = false;
    const tick = async () => {
      if (finished) return;
      try {
        const typing = TurnContext.applyConversationReference({ type: ActivityTypes.Typing }, TurnContext.getConversationReference(context.activity));
        await context.adapter.sendActivities(context, [typing]);
      } catch {
        // A lost typing indicator is not worth failing or logging the turn for.
      }
      if (!finished) timer = setTimeout(tick, this.periodMs);
    };
    timer = setTimeout(tick, this.delayMs);
    try {
      await next();
    } finally {
      finished = true;
      clearTimeout(timer);
    }
  }
}

function wantsTyping(context: TurnContext): boolean {
  const activity = context.activity;
  if (activity.type !== ActivityTypes.Message) return false;
  if (activity.deliveryMode === DeliveryModes.ExpectReplies) return false;
  if (activity.channelId === 'msteams' && activity.conversation?.conversationType === 'channel') return false;
  return true;
}
