import { CardFactory, type Attachment } from 'botbuilder';
import type { Button, TurnResult } from '../conversation/engine';
import { NOTICES } from '../dialog/systemKeys';

/** Where the reply goes in Teams, and the card's own words (locales/<language>/teams.json) in its language. */
export interface TeamsReplyContext {
  /** False in group chats and team channels. */
  privateChat: boolean;
  /** The bot's id in the conversation: in Teams "28:" and the app id. */
  botId?: string;
  /** Whether Teams' language for the user is one of the bot's five. */
  localeSupported: boolean;
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

/** The most buttons an answer card shows at once; more wait behind one "More options" button. */
export const MOST_BUTTONS = 4;

/** Buttons that move around the dialog rather than answer its question. */
const MOVES = new Set(['@back', '@menu', '@cancel']);

/**
 * The turn as one Teams message: its plain text for notifications and the chat list, and one Adaptive Card.
 * The paragraphs go on the card rather than in the message text: Teams draws a message's text and its card as
 * two blocks of different widths, and on the card each question stays directly above its buttons, which
 * matters in a busy channel; TextBlock markdown covers what the content uses (bold, links, lists), and the
 * quoted site message, which card markdown lacks, becomes an accent container.
 *
 * Short cards: no offer of the other languages when Teams already speaks one of the five (one small line
 * below the buttons otherwise); Back folded into Main menu; at most four buttons, the rest behind one; a form's
 * summary as a list of facts with Send first.
 *
 * In a group chat or channel a button that opens a form asking for ID or secret numbers would only be refused
 * there: it gives way to one that opens the private chat with the bot.
 */
export function teamsMessage(result: TurnResult, context: TeamsReplyContext): { summary: string; card: Attachment } {
  const offerAt = result.said.indexOf(NOTICES.languageOffer);
  const messages = result.messages.filter((_, index) => index !== offerAt);
  const summary = plainText(messages.join('\n\n'));
  const sites = new Map<string, string>();
  const paragraphs = messages
    .flatMap((text) => text.split(/\n{2,}/))
    .filter((paragraph) => paragraph.trim())
    .map((paragraph) => shortLinks(paragraph, sites));
  const confirming = result.trace.expecting === 'confirm';
  const body = paragraphs.map((paragraph) => (confirming && factSet(paragraph)) || textElement(paragraph));
  const footer =
    offerAt >= 0 && !context.localeSupported
      ? [
          {
            type: 'TextBlock',
            text: result.messages[offerAt]!.replace(/\s*\n+\s*/g, ' '),
            wrap: true,
            size: 'small',
            isSubtle: true,
          },
        ]
      : [];
  const opens = [...sites].map(([url, site]) => openUrl(context.text('chat.open', { site }), url));
  return { summary, card: card(body, actionsOf(result, context, offerAt >= 0, opens), summary, footer) };
}

/**
 * A link written as its whole address ("[https://www.example.org/a/](https://www.example.org/a/)") as its site
 * alone ("example.org"), which does not wrap on a phone; each such link is noted for an "Open …" button.
 */
function shortLinks(paragraph: string, sites: Map<string, string>): string {
  return paragraph.replace(/\[([^\]]*)\]\((https?:\/\/[^)\s]+)\)/g, (link, text: string, url: string) => {
    if (!/^https?:\/\//.test(text)) return link;
    const site = new URL(url).host.replace(/^www\./, '');
    sites.set(url, site);
    return `[${site}](${url})`;
  });
}

/**
 * A value that starts like a numbered list item ("14. Juni 2025") would show as a list starting at 14, the
 * number gone; a no-break space after the dot keeps it text and looks the same.
 */
function notAList(value: string): string {
  return value.replace(/^(\d+)\. /, '$1.\u00a0');
}

function actionsOf(
  result: TurnResult,
  context: TeamsReplyContext,
  offeringLanguages: boolean,
  opens: Element[],
): Element[] {
  let buttons = result.buttons;
  // The other languages are a line of text, not buttons that look like the topics.
  if (offeringLanguages) buttons = buttons.filter((button) => !button.id.startsWith('@language:'));
  // Main menu and Back in one: Back stays a word to type.
  if (buttons.some((button) => button.id === '@menu')) buttons = buttons.filter((button) => button.id !== '@back');
  const shown = context.privateChat ? buttons : buttons.filter((button) => !button.privateOnly);
  const refused = shown.length < buttons.length || result.said.includes(NOTICES.privateOnly);
  const link = privateChatLink(context.botId);
  const toPrivateChat =
    !context.privateChat && refused && link ? [openUrl(context.text('chat.openPrivate'), link)] : [];
  const submits = (list: Button[]) => list.map((button) => submit(button, context.privateChat));
  if (result.trace.expecting === 'confirm') {
    const edits = shown.filter((button) => button.id.startsWith('edit:'));
    const rest = shown.filter((button) => !button.id.startsWith('edit:'));
    return [
      ...submits(rest).map((action, index) => (index === 0 ? { ...action, style: 'positive' } : action)),
      ...(edits.length > 0 ? [showCard(context.text('chat.change'), submits(edits))] : []),
    ];
  }
  // The way to the private chat answers the question, so it comes first; moves come last. Links and the way to
  // the private chat always show, and so do the menu's topics; an answer's choices and moves fold into four.
  const choices = submits(shown.filter((button) => !MOVES.has(button.id)));
  const moves = submits(shown.filter((button) => MOVES.has(button.id)));
  const fixed = toPrivateChat.length + opens.length;
  if (fixed + choices.length + moves.length <= MOST_BUTTONS || moves.length === 0)
    return [...toPrivateChat, ...choices, ...opens, ...moves];
  const folded = [...choices, ...moves];
  const room = Math.max(0, MOST_BUTTONS - 1 - fixed);
  return [
    ...toPrivateChat,
    ...folded.slice(0, room),
    ...opens,
    showCard(context.text('chat.more'), folded.slice(room)),
  ];
}

/** A paragraph that is a list of "label: value" lines (a form's summary) as a fact list; undefined otherwise. */
function factSet(paragraph: string): Element | undefined {
  const lines = paragraph.split('\n').map((line) => /^[-*]\s+([^:]+):\s*(.*)$/.exec(line));
  if (lines.length < 2 || lines.some((line) => !line)) return undefined;
  return {
    type: 'FactSet',
    facts: lines.map((line) => ({ title: line![1]!.trim(), value: notAList(line![2]!.trim()) })),
  };
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

function card(body: Element[], actions: Element[], fallbackText: string, footer: Element[] = []): Attachment {
  return CardFactory.adaptiveCard({
    type: 'AdaptiveCard',
    version: TEAMS_CARD_VERSION,
    fallbackText,
    body: [...body, ...rows(actions), ...footer],
  });
}

/** One button per row: every title is shown in full, and none is cut by its neighbours. */
function rows(actions: Element[]): Element[] {
  return actions.map((action, index) => ({
    type: 'ActionSet',
    spacing: index === 0 ? 'medium' : 'small',
    actions: [action],
  }));
}

/** A button that shows more buttons below it, within the card. */
function showCard(title: string, actions: Element[]): Element {
  return { type: 'Action.ShowCard', title, card: { type: 'AdaptiveCard', body: rows(actions) } };
}

function textElement(paragraph: string): Element {
  const lines = paragraph.split('\n');
  if (!lines.every((line) => line.startsWith('>'))) return { type: 'TextBlock', text: paragraph, wrap: true };
  const quoted = lines.map((line) => line.replace(/^>\s?/, '')).join('\n');
  // Accent stands out from the card in both Teams themes; emphasis is all but the card's own grey in the dark one.
  return { type: 'Container', style: 'accent', items: [{ type: 'TextBlock', text: quoted, wrap: true }] };
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

/** The text without markdown, for notifications and clients that cannot show the card. */
export function plainText(markdown: string): string {
  return markdown
    .replace(/\[([^\]]*)\]\([^)\s]*\)/g, '$1')
    .replace(/\*\*|__/g, '')
    .replace(/^>\s?/gm, '')
    .replace(/\s+/g, ' ')
    .trim();
}
