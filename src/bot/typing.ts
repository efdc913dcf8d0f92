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
    let sending: Promise<void> = Promise.resolve();
    const tick = () => {
      if (finished) return;
      const typing = TurnContext.applyConversationReference(
        { type: ActivityTypes.Typing },
        TurnContext.getConversationReference(context.activity),
      );
      sending = context.adapter.sendActivities(context, [typing]).then(
        () => undefined,
        // A lost typing indicator is not worth failing or logging the turn for.
        () => undefined,
      );
      timer = setTimeout(tick, this.periodMs);
    };
    const stop = async () => {
      finished = true;
      clearTimeout(timer);
      // A typing indicator on its way must land before the answer, or the dots would show after it.
      await sending;
    };
    context.onSendActivities(async (_context, activities, sendNext) => {
      if (activities.some((activity) => activity.type !== ActivityTypes.Typing)) await stop();
      return sendNext();
    });
    timer = setTimeout(tick, this.delayMs);
    try {
      await next();
    } finally {
      await stop();
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
