import type { Activity as BotActivity } from 'botbuilder';
import type * as AdaptiveCards from 'adaptivecards';
// The package's ES module build does not load in Node; its UMD bundle does, with the same API.
import * as AC from 'adaptivecards/dist/adaptivecards.js';
import { loadConfig } from '../../src/config';
import { createTranslator } from '../../src/content/i18n';
import type { Language } from '../../src/dialog/languages';
import { startBot, type RunningBot } from '../../src/index';
import { createLogger } from '../../src/logger';
import { content } from '../support/helpers';
import { AT_BOT, BOT, fromTeams, mentioning, teamsPoster } from '../support/teamsWalk';

type Activity = Partial<BotActivity>;

const t = (language: Language, key: string) =>
  createTranslator(content()).getFixedT(language)(key, { links: content().dialog.links });

const message = (activities: Activity[]) => activities.find((each) => each.type === 'message')!;
const trace = (activities: Activity[]) =>
  activities.find((each) => each.type === 'trace')!.value as { topic: string; state: string; expecting: string | null };

/** The card on a reply, read by the official Adaptive Cards library as a host of that schema version would. */
function readCard(reply: Activity, version: AdaptiveCards.Version) {
  expect(reply.attachments).toHaveLength(1);
  expect(reply.attachments![0].contentType).toBe('application/vnd.microsoft.card.adaptive');
  const card = new AC.AdaptiveCard();
  const context = new AC.SerializationContext(version);
  card.parse(reply.attachments![0].content, context);
  const events = Array.from({ length: context.eventCount }, (_, index) => context.getEventAt(index).message);
  const texts: string[] = [];
  const actions: AdaptiveCards.Action[] = [];
  const walk = (element: AdaptiveCards.CardElement) => {
    if (element instanceof AC.TextBlock) texts.push(element.text ?? '');
    if (element instanceof AC.ActionSet)
      for (let index = 0; index < element.getActionCount(); index++) actions.push(element.getActionAt(index)!);
    if (element instanceof AC.Container)
      for (let index = 0; index < element.getItemCount(); index++) walk(element.getItemAt(index));
  };
  walk(card);
  for (let index = 0; index < card.getActionCount(); index++) actions.push(card.getActionAt(index)!);
  return { card, events, text: texts.join('\n\n'), actions };
}

/**
 * Checks what Teams desktop (1.5) and mobile (1.2) will make of the reply's card;
 * returns the button titles and the text.
 */
function expectTeamsCard(reply: Activity): { titles: string[]; text: string } {
  const newest = readCard(reply, AC.Versions.v1_5);
  expect(newest.events).toEqual([]);
  expect(readCard(reply, AC.Versions.v1_2).events).toEqual([]);
  expect(newest.actions.length).toBeGreaterThan(0);
  // "More options" folds the extra buttons into a card of their own: they follow the same rules.
  const folded = newest.actions.flatMap((each) =>
    each instanceof AC.ShowCardAction
      ? Array.from({ length: each.card.getActionCount() }, (_, index) => each.card.getActionAt(index)!)
      : [each],
  );
  for (const action of folded.filter((each) => !(each instanceof AC.OpenUrlAction))) {
    expect(action).toBeInstanceOf(AC.SubmitAction);
    // One-to-one the title is posted as the user's message; in a group it is shown, and the payload goes along.
    const { msteams } = (action as AdaptiveCards.SubmitAction).data as { msteams: Record<string, unknown> };
    expect([
      { type: 'imBack', value: action.title },
      { type: 'messageBack', displayText: action.title, text: action.title, value: msteams.value },
    ]).toContainEqual(msteams);
  }
  return { titles: newest.actions.map((action) => action.title!), text: newest.text };
}

describe('the bot in Microsoft Teams, over real HTTP', () => {
  let bot: RunningBot;
  let post: ReturnType<typeof teamsPoster>;
  beforeAll(async () => {
    bot = await startBot(loadConfig({ PORT: '0', HOST: '127.0.0.1' }), createLogger('silent'));
    post = teamsPoster(bot.url, 'teams-activity');
  });
  afterAll(async () => bot.close());

  it('in a 1:1 chat, welcomes in its language with the menu on an Adaptive Card desktop and mobile read', async () => {
    const chat = (fields: Record<string, unknown>) => post(fromTeams('personal-1', 'personal', 'de-DE', fields));
    const welcome = await chat({ type: 'conversationUpdate', membersAdded: [{ id: '29:personal-1-candidate' }] });
    const reply = message(welcome);
    expect(reply.suggestedActions).toBeUndefined();
    expect(reply.locale).toBe('de');
    const { titles, text } = expectTeamsCard(reply);
    expect(text).toContain(t('de', 'common:welcome'));
    expect(titles.slice(0, 6)).toEqual(
      ['credentials', 'lockout', 'forgotPassword', 'lostEmail', 'findCentre', 'centreClosed'].map((topic) =>
        t('de', `menu.choice.${topic}`),
      ),
    );
    // What the notification and the chat list show.
    expect(reply.summary).toContain(t('de', 'common:welcome'));

    const clicked = await chat({ text: titles[1] });
    expect(trace(clicked)).toMatchObject({ topic: 'lockout', state: 'lockout' });
    expect(expectTeamsCard(message(clicked)).text).toContain(
      'This account has been locked. Please try again in 30 minutes.',
    );
  });

  it('in a one-to-one chat, greets once when the app is installed and Teams announces only the bot', async () => {
    const chat = (fields: Record<string, unknown>) => post(fromTeams('personal-install', 'personal', 'fr-FR', fields));
    const installed = await chat({ type: 'conversationUpdate', membersAdded: [BOT] });
    expect(expectTeamsCard(message(installed)).text).toContain(t('fr', 'common:welcome'));
    // Teams may announce the same install again; the candidate is not greeted twice.
    expect(
      (await chat({ type: 'conversationUpdate', membersAdded: [BOT] })).filter((each) => each.type === 'message'),
    ).toEqual([]);
  });

  it('in a channel, a mention gets the menu on an Adaptive Card, no suggested actions; a click moves on', async () => {
    const channel = (fields: Record<string, unknown>) =>
      post(fromTeams('19:channel-1@thread.tacv2', 'channel', 'es-ES', fields));
    const welcome = await channel(mentioning('hola'));
    const reply = message(welcome);
    expect(reply.suggestedActions).toBeUndefined();
    const { titles, text } = expectTeamsCard(reply);
    expect(text).toContain(t('es', 'common:welcome'));
    expect(titles).toContain(t('es', 'menu.choice.forgotPassword'));

    // In a channel, Teams posts a clicked button's title after an @mention of the bot.
    const clicked = await channel(mentioning(t('es', 'menu.choice.forgotPassword')));
    expect(trace(clicked)).toMatchObject({ topic: 'forgotPassword', state: 'forgotPassword' });
    expect(message(clicked).suggestedActions).toBeUndefined();
    expectTeamsCard(message(clicked));
  });

  it('in a channel or group chat, stays silent unless @mentioned and posts no welcome when people join', async () => {
    const conversation = '19:channel-2@thread.tacv2';
    const channel = (fields: Record<string, unknown>) => post(fromTeams(conversation, 'channel', 'en-GB', fields));
    expect(await channel({ type: 'conversationUpdate', membersAdded: [{ id: '29:someone-new' }] })).toEqual([]);
    expect(await channel({ text: 'I forgot my password' })).toEqual([]);
    expect(
      await channel({
        text: `${AT_BOT} hello`,
        entities: [{ type: 'mention', text: '<at>Someone else</at>', mentioned: { id: '29:someone-else' } }],
      }),
    ).toEqual([]);
    const group = (fields: Record<string, unknown>) =>
      post(fromTeams('19:group-1@thread.v2', 'groupChat', 'en-GB', fields));
    expect(await group({ type: 'conversationUpdate', membersAdded: [{ id: '29:someone-new' }] })).toEqual([]);
    expect(await group({ text: 'hello' })).toEqual([]);

    // The ignored messages left no trace: the first mention opens the conversation with the welcome.
    const answered = await channel(mentioning('hello'));
    expect(expectTeamsCard(message(answered)).text).toContain(t('en', 'common:welcome'));
    expect(trace(answered)).toMatchObject({ topic: 'menu', state: 'menu' });
    const inGroup = await group(mentioning('I forgot my password'));
    expect(trace(inGroup)).toMatchObject({ topic: 'forgotPassword' });
  });

  it('in a channel, helpdesk request and lock check ask for no ID or secret numbers; one-to-one they do', async () => {
    const channel = (fields: Record<string, unknown>) =>
      post(fromTeams('19:channel-3@thread.tacv2', 'channel', 'en-GB', fields));
    const say = async (text: string) => {
      const activities = await channel(mentioning(text));
      return { activities, text: expectTeamsCard(message(activities)).text };
    };
    await say('hello');
    await say(t('en', 'menu.choice.centreClosed'));
    let reply = await say(t('en', 'centreClosed.choice.start'));
    expect(reply.text).toContain(t('en', 'common:privateOnly'));
    expect(reply.text).not.toContain(t('en', 'ask.fullName'));
    expect(trace(reply.activities)).toMatchObject({ state: 'centreClosed', expecting: null });
    // A typed yes to "shall we send the request?" is refused the same way.
    reply = await say('yes');
    expect(reply.text).toContain(t('en', 'common:privateOnly'));
    expect(trace(reply.activities).expecting).toBeNull();
    await say(t('en', 'common:choice.menu'));
    await say(t('en', 'menu.choice.lockout'));
    reply = await say(t('en', 'lockout.choice.check'));
    expect(reply.text).toContain(t('en', 'common:privateOnly'));
    expect(reply.text).not.toContain(t('en', 'ask.idNumber'));
    expect(trace(reply.activities).expecting).toBeNull();

    const personal = (text: string) => post(fromTeams('personal-3', 'personal', 'en-GB', { text }));
    let asked: Activity[] = [];
    for (const text of [
      'hello',
      t('en', 'menu.choice.centreClosed'),
      t('en', 'centreClosed.choice.start'),
      'Ana Candidate',
      'B2 First',
      '14/06/2025',
      'Centro Roma',
      'ana@example.org',
    ]) {
      asked = await personal(text);
    }
    expect(expectTeamsCard(message(asked)).text).toContain(t('en', 'ask.idNumber'));
    expect(trace(asked).expecting).toBe('idNumber');
  });
});
