import { CardFactory, type Attachment } from 'botbuilder';
import type { Button, TurnResult } from '../conversation/engine';
import { NOTICES } from '../dialog/systemKeys';

/** Where the reply goes in Teams, and the card's own words (locales/<language>/teams.json) in its language. */
export interface TeamsReplyContext {
  /** False in group chats and team channels. */
  privateChat: boolean;
  /** The bot's id in the conversation: in Teams "28:" and the app id. */
  botId?: string;
  /** A text of the teams namespace in the reply's language ("chat.openPrivate"). */
  text: (key: string, options?: Record<string, unknown>) => string;
}

type Element = Record<string, unknown>;

/** Adaptive Cards 1.2, the newest version Teams on phones renders; a newer one shows there as its fallback text. */
export const TEAMS_CARD_VERSION = '1.2';

const BOT_ID = /^28:[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/i;

/** The Teams deep link that opens the one-to-one chat with the bot, when its id is a Teams bot id. */
export function privateChatLink(botId: string | undefined): string | undefined {
  return botId && BOT_ID.test(botId) ? `https://teams.microsoft.com/l/chat/0/0?users=${botId}` : undefined;
}

/**
 * The turn as one Adaptive Card. The paragraphs go on the card rather than in the message text: Teams draws a
 * message's text and its card as two blocks of different widths, and on the card each question stays with its
 * buttons, which matters in a busy channel; TextBlock markdown covers what the content uses (bold, links,
 * lists), and the quoted site message, which card markdown lacks, becomes an emphasis container.
 *
 * In a group chat or channel a button that opens a form asking for ID or secret numbers would only be refused
 * there: it gives way to one that opens the private chat with the bot.
 */
export function teamsCard(result: TurnResult, context: TeamsReplyContext, fallbackText: string): Attachment {
  const paragraphs = result.messages.flatMap((text) => text.split(/\n{2,}/)).filter((paragraph) => paragraph.trim());
  const buttons = context.privateChat ? result.buttons : result.buttons.filter((button) => !button.privateOnly);
  const refused = buttons.length < result.buttons.length || result.said.includes(NOTICES.privateOnly);
  const link = privateChatLink(context.botId);
  const actions = [
    ...buttons.map((button) => submit(button, context.privateChat)),
    ...(!context.privateChat && refused && link ? [openUrl(context.text('chat.openPrivate'), link)] : []),
  ];
  return card(paragraphs.map(textElement), actions, fallbackText);
}

/** The warning for an ID or secret number typed in a shared chat, with the way to the private chat. */
export function sharedSecretCard(context: TeamsReplyContext): Attachment {
  const warning = context.text('chat.sharedSecret');
  const link = privateChatLink(context.botId);
  return card(
    [{ type: 'TextBlock', text: warning, wrap: true, color: 'attention' }],
    link ? [openUrl(context.text('chat.openPrivate'), link)] : [],
    warning,
  );
}

function card(body: Element[], actions: Element[], fallbackText: string): Attachment {
  return CardFactory.adaptiveCard({
    type: 'AdaptiveCard',
    version: TEAMS_CARD_VERSION,
    fallbackText,
    body: [
      ...body,
      // One button per row: every title is shown in full, and none is hidden in an overflow menu.
      ...actions.map((action, index) => ({
        type: 'ActionSet',
        spacing: index === 0 ? 'medium' : 'small',
        actions: [action],
      })),
    ],
  });
}

function textElement(paragraph: string): Element {
  const lines = paragraph.split('\n');
  if (!lines.every((line) => line.startsWith('>'))) return { type: 'TextBlock', text: paragraph, wrap: true };
  const quoted = lines.map((line) => line.replace(/^>\s?/, '')).join('\n');
  return { type: 'Container', style: 'emphasis', items: [{ type: 'TextBlock', text: quoted, wrap: true }] };
}

/**
 * One-to-one, a click posts the button's title as the user's own message, exactly as typing it would. In a
 * group chat Teams would post that title without the @mention, so the bot would never hear it: there the
 * click goes to the bot as the button's payload, and the chat shows its title as the user's message.
 */
function submit(button: Button, privateChat: boolean): Element {
  const msteams = privateChat
    ? { type: 'imBack', value: button.title }
    : { type: 'messageBack', displayText: button.title, text: button.title, value: button.value };
  return { type: 'Action.Submit', title: button.title, data: { msteams } };
}

function openUrl(title: string, url: string): Element {
  return { type: 'Action.OpenUrl', title, url };
}
