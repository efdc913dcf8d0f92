import { loadConfig } from '../../src/config';
import { createTranslator } from '../../src/content/i18n';
import { isFormNode } from '../../src/content/dialogSchema';
import { LANGUAGES, type Language } from '../../src/dialog/languages';
import { startBot, type RunningBot } from '../../src/index';
import { createLogger } from '../../src/logger';
import { content } from '../support/helpers';
import {
  allActions,
  ANSWERS,
  BOT,
  cardOf,
  cardTexts,
  click,
  fromTeams,
  mentioning,
  messageOf,
  TEAMS_LOCALES,
  teamsPoster,
  traceOf,
  walkTeams,
  type Scope,
} from '../support/teamsWalk';

const t = (language: Language, key: string) =>
  createTranslator(content()).getFixedT(language)(key, { links: content().dialog.links });

/** The Teams deep link that opens the one-to-one chat with the bot (its id is "28:" and the app id). */
const PRIVATE_CHAT = `https://teams.microsoft.com/l/chat/0/0?users=${BOT.id}`;

/** A question whose answer the bot keeps masked: an ID or a secret number. */
const privateSlot = (slot: string) => content().validators[content().slotValidators[slot]!]!.mask !== 'none';

/** The forms that ask for an ID or a secret number. */
function privateForms(): Set<string> {
  const { nodes } = content().dialog;
  return new Set(
    Object.entries(nodes)
      .filter(([, node]) => isFormNode(node) && node.ask.some((question) => privateSlot(question.slot)))
      .map(([id]) => id),
  );
}

describe('Teams group chats and channels lead to the private chat', () => {
  let bot: RunningBot;
  let post: ReturnType<typeof teamsPoster>;
  beforeAll(async () => {
    bot = await startBot(loadConfig({ PORT: '0', HOST: '127.0.0.1' }), createLogger('silent'));
    post = teamsPoster(bot.url, 'teams-group');
  });
  afterAll(async () => bot?.close());

  it.each(LANGUAGES)(
    'in %s, every button clicked in a group chat reaches the bot and none only refuses',
    async (language) => {
      const { replies, unanswered } = await walkTeams(post, language, 'groupChat');
      expect(unanswered).toEqual([]);
      const refusal = t(language, 'common:privateOnly');
      const refused = replies.filter((each) => cardTexts(cardOf(each.reply)).some((text) => text.includes(refusal)));
      expect(refused.map((each) => each.state)).toEqual([]);
      // The topics whose next step needs the private chat offer it instead of a button that only refuses.
      const forms = privateForms();
      const { nodes } = content().dialog;
      const offering = replies.filter((each) => {
        const node = nodes[each.state];
        return node && !isFormNode(node) && node.choices.some((choice) => forms.has(choice.goto));
      });
      expect(offering.length).toBeGreaterThan(0);
      for (const each of offering) {
        const links = allActions(cardOf(each.reply)).filter((action) => action.type === 'Action.OpenUrl');
        expect(links.map((action) => action.url)).toContain(PRIVATE_CHAT);
        expect(links.find((action) => action.url === PRIVATE_CHAT)!.title).toBe(t(language, 'teams:chat.openPrivate'));
      }
    },
  );

  it.each(LANGUAGES)(
    'in %s, a typed request for the lock check in a channel is answered with the way to the private chat',
    async (language) => {
      const channel = (fields: Record<string, unknown>) =>
        post(fromTeams(`19:check-${language}@thread.tacv2`, 'channel', TEAMS_LOCALES[language], fields));
      await channel(mentioning('hello'));
      await channel(mentioning(t(language, 'menu.choice.lockout')));
      const reply = await channel(mentioning(t(language, 'lockout.choice.check')));
      const card = cardOf(messageOf(reply)!);
      expect(cardTexts(card).join('\n')).toContain(t(language, 'common:privateOnly'));
      const actions = allActions(card);
      expect(actions.filter((action) => action.type === 'Action.OpenUrl').map((action) => action.url)).toContain(
        PRIVATE_CHAT,
      );
      expect(actions.map((action) => action.title)).not.toContain(t(language, 'lockout.choice.check'));
    },
  );

  it.each(LANGUAGES)(
    'in %s, an ID or secret number typed in a group is warned about and not read',
    async (language) => {
      const scope: Scope = 'groupChat';
      const group = (fields: Record<string, unknown>) =>
        post(fromTeams(`19:secret-${language}@thread.v2`, scope, TEAMS_LOCALES[language], fields));
      await group(mentioning('hello'));
      const before = traceOf(await group(mentioning(t(language, 'menu.choice.lockout'))))!;
      for (const text of [`${ANSWERS.idNumber} ${ANSWERS.secretNumber}`, ANSWERS.secretNumber!, ANSWERS.idNumber!]) {
        const reply = await group(mentioning(text));
        const card = cardOf(messageOf(reply)!);
        const texts = cardTexts(card).join('\n');
        expect(texts).toContain(t(language, 'teams:chat.sharedSecret'));
        expect(texts).not.toContain(ANSWERS.idNumber);
        expect(texts).not.toContain(t(language, 'common:understanding.didYouMean'));
        expect(allActions(card).map((action) => action.url)).toContain(PRIVATE_CHAT);
        expect(JSON.stringify(reply)).not.toContain(ANSWERS.idNumber);
      }
      // The conversation is where it was: the next click on the topic's card still works.
      const again = await group(mentioning(t(language, 'common:commands.repeat').split('|')[0]!));
      expect(traceOf(again)).toMatchObject({ state: before.state });
    },
  );

  it('a card button clicked in a group chat without an @mention moves the dialog on', async () => {
    const group = (fields: Record<string, unknown>) =>
      post(fromTeams('19:click@thread.v2', 'groupChat', 'en-GB', fields));
    const menu = cardOf(messageOf(await group(mentioning('hello')))!);
    const title = t('en', 'menu.choice.forgotPassword');
    const button = allActions(menu).find((action) => action.title === title)!;
    const clicked = await group(click(button, 'menu-card'));
    expect(traceOf(clicked)).toMatchObject({ topic: 'forgotPassword', state: 'forgotPassword' });
    // A plain message without a mention is still ignored.
    expect(await group({ text: title })).toEqual([]);
  });
});
