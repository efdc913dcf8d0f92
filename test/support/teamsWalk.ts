import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Activity as BotActivity } from 'botbuilder';
import type { Language } from '../../src/dialog/languages';
import { activity } from './activities';
import { ROOT } from './helpers';

export type Activity = Partial<BotActivity>;
export type Scope = 'personal' | 'groupChat' | 'channel';

export const BOT = { id: '28:6d7c2f4e-1b0a-4c1e-9a53-2f8d0b7e4a11', name: 'Results Helpdesk' };
export const AT_BOT = `<at>${BOT.name}</at>`;

/** The Teams locale each language's users have in these tests. */
export const TEAMS_LOCALES: Record<Language, string> = {
  en: 'en-GB',
  es: 'es-ES',
  it: 'it-IT',
  fr: 'fr-FR',
  de: 'de-DE',
};

/** An activity as Teams posts it in a one-to-one chat, a group chat or a team's channel. */
export function fromTeams(
  conversation: string,
  scope: Scope,
  locale: string,
  fields: Record<string, unknown>,
): Record<string, unknown> {
  return activity(conversation, {
    channelId: 'msteams',
    locale,
    conversation: {
      id: conversation,
      conversationType: scope,
      tenantId: 'tenant-1',
      ...(scope === 'personal' ? {} : { isGroup: true }),
    },
    from: { id: `29:${conversation}-candidate`, name: 'Candidate' },
    recipient: BOT,
    channelData: {
      tenant: { id: 'tenant-1' },
      ...(scope === 'channel' ? { team: { id: '19:team' }, channel: { id: '19:channel' } } : {}),
    },
    ...fields,
  });
}

/** A message that @mentions the bot, as Teams writes it: the mention in the text and as an entity. */
export function mentioning(text: string): Record<string, unknown> {
  return { text: `${AT_BOT} ${text}`, entities: [{ type: 'mention', text: AT_BOT, mentioned: BOT }] };
}

export const messageOf = (activities: Activity[]) => activities.find((each) => each.type === 'message');
export const traceOf = (activities: Activity[]) =>
  activities.find((each) => each.type === 'trace')?.value as
    { topic: string; state: string; expecting: string | null } | undefined;

/** Posts activities to the bot's /api/messages as Teams would (each with its own id); the replies it sends. */
export function teamsPoster(url: string, prefix: string): (body: Record<string, unknown>) => Promise<Activity[]> {
  let counter = 0;
  return async (body) => {
    const response = await fetch(`${url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: `${prefix}-${++counter}`, ...body }),
    });
    if (response.status !== 200) throw new Error(`HTTP ${response.status}: ${await response.text()}`);
    return ((await response.json()) as { activities: Activity[] }).activities;
  };
}

/** One action of a card, wherever it sits (an action set, the card's own actions, a card a button shows). */
export interface CardAction {
  type: string;
  title: string;
  url?: string;
  data?: { msteams?: { type: string; value?: unknown; text?: string; displayText?: string } };
  /** For Action.ShowCard: the card it shows. */
  card?: Record<string, unknown>;
}

/** The card on a Teams reply, as JSON. */
export function cardOf(reply: Activity): Record<string, unknown> {
  const attachment = reply.attachments?.[0];
  if (attachment?.contentType !== 'application/vnd.microsoft.card.adaptive')
    throw new Error(`The reply has no Adaptive Card: ${JSON.stringify(reply)}`);
  return attachment.content as Record<string, unknown>;
}

/** The actions a card shows without opening anything: its action sets' and its own. */
export function visibleActions(card: Record<string, unknown>): CardAction[] {
  const found: CardAction[] = [];
  const walk = (element: Record<string, unknown>) => {
    if (Array.isArray(element.actions)) found.push(...(element.actions as CardAction[]));
    for (const key of ['body', 'items']) {
      if (Array.isArray(element[key])) for (const item of element[key] as Record<string, unknown>[]) walk(item);
    }
    if (Array.isArray(element.columns)) for (const column of element.columns as Record<string, unknown>[]) walk(column);
  };
  walk(card);
  return found;
}

/** Every action of a card, including those on the cards its buttons show. */
export function allActions(card: Record<string, unknown>): CardAction[] {
  return visibleActions(card).flatMap((action) =>
    action.type === 'Action.ShowCard' && action.card ? [action, ...allActions(action.card)] : [action],
  );
}

/** Every text of a card (text blocks and facts), in order. */
export function cardTexts(card: Record<string, unknown>): string[] {
  const texts: string[] = [];
  const walk = (element: Record<string, unknown>) => {
    if (element.type === 'TextBlock') texts.push(String(element.text));
    if (element.type === 'FactSet')
      for (const fact of element.facts as { title: string; value: string }[]) texts.push(`${fact.title} ${fact.value}`);
    for (const key of ['body', 'items']) {
      if (Array.isArray(element[key])) for (const item of element[key] as Record<string, unknown>[]) walk(item);
    }
  };
  walk(card);
  return texts;
}

/** What Teams posts to the bot when someone clicks a submit button of the bot's card. */
export function click(action: CardAction, replyToId: string): Record<string, unknown> {
  const teams = action.data?.msteams;
  if (!teams) throw new Error(`Not a Teams submit button: ${JSON.stringify(action)}`);
  // imBack: the title as the user's message, with no @mention even in a group chat.
  if (teams.type === 'imBack') return { text: teams.value, replyToId };
  if (teams.type === 'messageBack')
    return { text: teams.text, value: teams.value, replyToId, channelData: { postBack: true } };
  throw new Error(`Unknown Teams button type ${teams.type}`);
}

const accounts = JSON.parse(readFileSync(path.join(ROOT, 'demo', 'accounts.json'), 'utf8')) as {
  idNumber: string;
  secretNumber: string;
}[];

/** A valid answer to each question the forms ask: the demo's locked account, and a centre with brackets. */
export const ANSWERS: Record<string, string> = {
  fullName: 'Ana Candidate',
  exam: 'B2 First',
  examDate: '14/06/2025',
  centreName: 'Schule (Nord)',
  email: 'ana.candidate@example.org',
  idNumber: accounts[0]!.idNumber,
  secretNumber: accounts[0]!.secretNumber,
};

export interface WalkedReply {
  state: string;
  scope: Scope;
  language: Language;
  reply: Activity;
}

/**
 * Every card a walk through the whole dialog sends: from the welcome, each button of each new state is clicked
 * (in a fresh conversation that replays the clicks that led there), and each question is answered. In a group
 * chat the walk starts with an @mention and clicks as Teams does there, without one.
 */
export async function walkTeams(
  post: (body: Record<string, unknown>) => Promise<Activity[]>,
  language: Language,
  scope: Scope,
): Promise<{ replies: WalkedReply[]; unanswered: string[] }> {
  const replies: WalkedReply[] = [];
  const unanswered: string[] = [];
  const seen = new Set<string>();
  let conversations = 0;
  const queue: string[][] = [[]];
  while (queue.length > 0) {
    const path = queue.shift()!;
    const id = `${scope}-${language}-walk-${++conversations}`;
    const send = async (fields: Record<string, unknown>) => {
      const activities = await post(fromTeams(id, scope, TEAMS_LOCALES[language], fields));
      const reply = messageOf(activities);
      const trace = traceOf(activities);
      if (!reply || !trace) return undefined;
      replies.push({ state: trace.state, scope, language, reply });
      return { reply, trace };
    };
    const answerQuestions = async (turn: Awaited<ReturnType<typeof send>>) => {
      while (turn && turn.trace.expecting && ANSWERS[turn.trace.expecting])
        turn = await send({ text: ANSWERS[turn.trace.expecting] });
      return turn;
    };
    let turn = await answerQuestions(
      await send(
        scope === 'personal'
          ? { type: 'conversationUpdate', membersAdded: [{ id: `29:${id}-candidate` }] }
          : mentioning('hello'),
      ),
    );
    for (const [index, title] of path.entries()) {
      const action = turn && allActions(cardOf(turn.reply)).find((candidate) => candidate.title === title);
      if (!action) throw new Error(`No button "${title}" after ${JSON.stringify(path.slice(0, index))}`);
      const before = turn!;
      turn = await answerQuestions(await send(click(action, `card-${index}`)));
      if (!turn) {
        unanswered.push(`${before.trace.state}: ${title}`);
        break;
      }
    }
    if (!turn || seen.has(turn.trace.state)) continue;
    seen.add(turn.trace.state);
    const actions = turn.reply.attachments ? allActions(cardOf(turn.reply)) : [];
    for (const action of actions) if (action.type === 'Action.Submit') queue.push([...path, action.title]);
  }
  return { replies, unanswered };
}
