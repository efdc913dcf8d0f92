import { ActivityTypes, CardFactory, InputHints, type Activity, type CardAction } from 'botbuilder';
import type { TurnResult } from '../conversation/engine';

export const TRACE_NAME = 'helpdesk.state';
export const TRACE_VALUE_TYPE = 'https://schemas.helpdesk.local/helpdesk.state';

/** Channels that do not show suggested actions get the buttons on a card instead. */
const CARD_BUTTON_CHANNELS = new Set(['msteams', 'email', 'sms', 'telegram']);

/**
 * One message with the turn's text and its buttons, then the dialog-state trace (shown in the
 * Emulator, dropped by real channels).
 */
export function renderActivities(result: TurnResult, channelId: string | undefined, userId: string | undefined): Partial<Activity>[] {
  const actions: CardAction[] = result.buttons.map((button) => ({ type: 'imBack', title: button.title, value: button.title }));
  const asking = result.trace.expecting !== null && result.trace.expecting !== 'confirm';
  const message: Partial<Activity> = {
    type: ActivityTypes.Message,
    text: result.messages.join('\n\n'),
    textFormat: 'markdown',
    locale: result.language,
    inputHint: asking ? InputHints.ExpectingInput : InputHints.AcceptingInput,
  };
  if (actions.length > 0) {
    if (channelId && CARD_BUTTON_CHANNELS.has(channelId)) message.attachments = [CardFactory.heroCard('', undefined, actions)];
    else message.suggestedActions = { to: userId ? [userId] : [], actions };
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
