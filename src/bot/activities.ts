import { ActivityTypes, CardFactory, InputHints, type Activity, type Attachment, type CardAction } from 'botbuilder';
import type { Button, TurnResult } from '../conversation/engine';

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
    if (channelId === 'msteams') {
      // Teams shows no suggested actions in group chats and channels: the card carries text and buttons everywhere.
      delete message.text;
      message.summary = plainText(text);
      message.attachments = [teamsCard(result)];
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

/**
 * The turn as one Adaptive Card. The paragraphs go on the card rather than in the message text: Teams draws a
 * message's text and its card as two blocks of different widths, and on the card each question stays with its
 * buttons, which matters in a busy channel; TextBlock markdown covers what the content uses (bold, links,
 * lists), and the quoted site message, which card markdown lacks, becomes an emphasis container. Version 1.2,
 * the newest Teams on phones renders: a card that declares a newer one shows there as its fallback text only.
 */
function teamsCard(result: TurnResult): Attachment {
  const paragraphs = result.messages.flatMap((text) => text.split(/\n{2,}/)).filter((paragraph) => paragraph.trim());
  return CardFactory.adaptiveCard({
    type: 'AdaptiveCard',
    version: '1.2',
    fallbackText: plainText(result.messages.join('\n\n')),
    body: [
      ...paragraphs.map(textElement),
      // One button per row: every title is shown in full, and none is hidden in an overflow menu.
      ...result.buttons.map((button, index) => ({
        type: 'ActionSet',
        spacing: index === 0 ? 'medium' : 'small',
        actions: [imBack(button)],
      })),
    ],
  });
}

function textElement(paragraph: string): Record<string, unknown> {
  const lines = paragraph.split('\n');
  if (!lines.every((line) => line.startsWith('>'))) return { type: 'TextBlock', text: paragraph, wrap: true };
  const quoted = lines.map((line) => line.replace(/^>\s?/, '')).join('\n');
  return { type: 'Container', style: 'emphasis', items: [{ type: 'TextBlock', text: quoted, wrap: true }] };
}

/** A click posts the button's title as the user's own message, exactly as typing it would. */
function imBack(button: Button): Record<string, unknown> {
  return { type: 'Action.Submit', title: button.title, data: { msteams: { type: 'imBack', value: button.title } } };
}

/** The text without markdown, for notifications and clients that cannot show the card. */
function plainText(markdown: string): string {
  return markdown
    .replace(/\[([^\]]*)\]\([^)\s]*\)/g, '$1')
    .replace(/\*\*|__/g, '')
    .replace(/^>\s?/gm, '')
    .replace(/\s+/g, ' ')
    .trim();
}
