import { ActivityTypes, CardFactory, InputHints, type Activity, type CardAction } from 'botbuilder';
import type { TurnResult } from '../conversation/engine';
import { teamsMessage, type TeamsReplyContext } from './teamsCard';

export const TRACE_NAME = 'helpdesk.state';
export const TRACE_VALUE_TYPE = 'https://schemas.helpdesk.local/helpdesk.state';

/** Channels that show neither suggested actions nor Adaptive Cards get the buttons on a hero card. */
const HERO_CARD_CHANNELS = new Set(['email', 'sms', 'telegram']);

/**
 * One message with the turn's text and its buttons, then the dialog-state trace (shown in the
 * Emulator, dropped by real channels).
 */
export function renderActivities(
  result: TurnResult,
  channelId: string | undefined,
  userId: string | undefined,
  teams?: TeamsReplyContext,
): Partial<Activity>[] {
  const text = result.messages.join('\n\n');
  const asking = result.trace.expecting !== null && result.trace.expecting !== 'confirm';
  const message: Partial<Activity> = {
    type: ActivityTypes.Message,
    text,
    textFormat: 'markdown',
    locale: result.language,
    inputHint: asking ? InputHints.ExpectingInput : InputHints.AcceptingInput,
  };
  if (result.buttons.length > 0) {
    if (channelId === 'msteams' && teams) {
      // Teams shows no suggested actions in group chats and channels: the card carries text and buttons everywhere.
      delete message.text;
      const { summary, card } = teamsMessage(result, teams);
      message.summary = summary;
      message.attachments = [card];
    } else {
      const actions: CardAction[] = result.buttons.map((button) => ({
        type: 'imBack',
        title: button.title,
        value: button.title,
      }));
      if (channelId && HERO_CARD_CHANNELS.has(channelId))
        message.attachments = [CardFactory.heroCard('', undefined, actions)];
      else message.suggestedActions = { to: userId ? [userId] : [], actions };
    }
  }
  return [
    message,
    {
      type: ActivityTypes.Trace,
      name: TRACE_NAME,
      label: 'Helpdesk dialog state',
      valueType: TRACE_VALUE_TYPE,
      value: result.trace,
    },
  ];
}
