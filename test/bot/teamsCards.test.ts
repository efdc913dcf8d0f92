import { loadConfig } from '../../src/config';
import { isFormNode } from '../../src/content/dialogSchema';
import { createTranslator } from '../../src/content/i18n';
import { LANGUAGES, type Language } from '../../src/dialog/languages';
import { startBot, type RunningBot } from '../../src/index';
import { createLogger } from '../../src/logger';
import { readAsHost } from '../support/adaptiveCardHost';
import { contrast, palette, type ContainerStyle } from '../support/teamsHostConfig';
import { content } from '../support/helpers';
import {
  allActions,
  ANSWERS,
  cardOf,
  cardTexts,
  fromTeams,
  messageOf,
  teamsPoster,
  visibleActions,
  walkTeams,
  type CardAction,
  type WalkedReply,
} from '../support/teamsWalk';

const t = (language: Language, key: string) =>
  createTranslator(content()).getFixedT(language)(key, { links: content().dialog.links });

/** The most buttons an answer card shows at once; the rest wait behind one button. */
const MOST_BUTTONS = 4;

type Element = Record<string, unknown>;

/** The element right above a card's first row of buttons. */
function aboveButtons(card: Element): Element | undefined {
  const body = card.body as Element[];
  const first = body.findIndex((element) => element.type === 'ActionSet');
  return first > 0 ? body[first - 1] : undefined;
}

/** Every container of a card, at any depth. */
function containers(element: Element): Element[] {
  const children = [...((element.body as Element[]) ?? []), ...((element.items as Element[]) ?? [])];
  return [...(element.type === 'Container' ? [element] : []), ...children.flatMap(containers)];
}

const titles = (actions: CardAction[]) => actions.map((action) => action.title);

/** The message nodes a candidate reaches from the start by buttons alone, and the forms those buttons open. */
function reachable(): { messages: Set<string>; forms: Set<string> } {
  const { nodes, start } = content().dialog;
  const messages = new Set<string>();
  const forms = new Set<string>();
  const queue = [start];
  while (queue.length > 0) {
    const id = queue.shift()!;
    const node = nodes[id]!;
    if (isFormNode(node)) {
      forms.add(id);
      continue;
    }
    if (messages.has(id)) continue;
    messages.add(id);
    queue.push(...node.choices.map((choice) => choice.goto));
  }
  return { messages, forms };
}

describe('every card of a full walk in Teams', () => {
  let bot: RunningBot;
  const walked: WalkedReply[] = [];
  beforeAll(async () => {
    bot = await startBot(loadConfig({ PORT: '0', HOST: '127.0.0.1' }), createLogger('silent'));
    const post = teamsPoster(bot.url, 'teams-card');
    for (const language of LANGUAGES) {
      for (const scope of ['personal', 'groupChat'] as const)
        walked.push(...(await walkTeams(post, language, scope)).replies);
    }
  }, 180_000);
  afterAll(async () => bot?.close());

  it('reaches every topic, every form, the summary and the lock check, in all five languages', () => {
    const { messages, forms } = reachable();
    const { nodes } = content().dialog;
    for (const language of LANGUAGES) {
      const states = new Set(
        walked.filter((each) => each.language === language && each.scope === 'personal').map((each) => each.state),
      );
      for (const node of messages) expect(states).toContain(node);
      for (const id of forms) {
        const form = nodes[id]!;
        if (!isFormNode(form)) continue;
        for (const question of form.ask) expect(states).toContain(`${id}.${question.slot}`);
        if (form.confirm) expect(states).toContain(`${id}.confirm`);
        // The form ran: one of its outcomes (the demo account's) was shown.
        expect(Object.values(form.outcomes).some((outcome) => states.has(outcome))).toBe(true);
      }
    }
  });

  it('declares a version a Teams client on a phone (Adaptive Cards 1.2) renders, with nothing it would drop', () => {
    const cards = walked.filter((each) => each.reply.attachments);
    expect(cards.length).toBeGreaterThan(100);
    const refused = cards
      .map((each) => ({ each, host: readAsHost(cardOf(each.reply)) }))
      .filter(({ host }) => host.fallsBack || host.warnings.length > 0 || host.failures.length > 0)
      .map(({ each, host }) => `${each.language} ${each.scope} ${each.state}: ${[...host.warnings, ...host.failures]}`);
    expect([...new Set(refused)]).toEqual([]);
  });

  const personal = (language: Language) =>
    walked.filter((each) => each.language === language && each.scope === 'personal' && each.reply.attachments);

  it('puts the question directly above its choices, with no language offers when Teams speaks one of the five', () => {
    const { nodes, start } = content().dialog;
    for (const language of LANGUAGES) {
      const others = LANGUAGES.filter((other) => other !== language);
      const offers = others.map((other) => t(other, 'common:language.offer'));
      const asked = new Set<string>();
      for (const { state, reply } of personal(language)) {
        const node = nodes[state];
        const card = cardOf(reply);
        const json = JSON.stringify(card);
        for (const offer of offers) expect(json).not.toContain(JSON.stringify(offer).slice(1, -1));
        if (!node || isFormNode(node)) continue;
        const question = node.prompt ?? (state === start ? node.say.at(-1) : undefined);
        if (!question || !reply.summary?.endsWith(t(language, question).replace(/\*\*/g, ''))) continue;
        expect({ state, above: aboveButtons(card)?.text }).toEqual({ state, above: t(language, question) });
        asked.add(state);
      }
      // The menu and every topic that ends on a question were checked.
      expect(asked).toContain(start);
      expect(asked.size).toBeGreaterThanOrEqual(
        Object.values(nodes).filter((node) => 'prompt' in node && node.prompt).length,
      );
      const menu = personal(language).find((each) => each.state === start)!;
      expect(titles(allActions(cardOf(menu.reply)))).not.toContain(t(others[0]!, 'common:language.name'));
    }
  });

  it('offers the other languages in one small line when Teams speaks none of the five', async () => {
    const post = teamsPoster(bot.url, 'teams-portuguese');
    const welcome = messageOf(
      await post(fromTeams('pt-1', 'personal', 'pt-BR', { type: 'conversationUpdate', membersAdded: [{ id: 'x' }] })),
    )!;
    const card = cardOf(welcome);
    const body = card.body as Element[];
    // Teams speaks none of the five: the welcome is in English, with the offer of the others in one small line.
    const offerLines = body.filter((element) => String(element.text).includes(t('en', 'common:language.offer')));
    expect(offerLines).toHaveLength(1);
    expect(offerLines[0]).toMatchObject({ type: 'TextBlock', size: 'small' });
    expect(aboveButtons(card)!.text).toBe(t('en', 'menu.intro'));
    expect(titles(allActions(card))).not.toContain(t('es', 'common:language.name'));
  });

  it('shows at most four buttons on an answer card, Back folded into Main menu, every choice still there', () => {
    const { nodes, start } = content().dialog;
    for (const language of LANGUAGES) {
      for (const { state, reply } of personal(language)) {
        if (state === start) continue;
        const card = cardOf(reply);
        const shown = titles(visibleActions(card));
        expect({ state, shown: shown.length <= MOST_BUTTONS }).toEqual({ state, shown: true });
        expect(
          shown.includes(t(language, 'common:choice.back')) && shown.includes(t(language, 'common:choice.menu')),
        ).toBe(false);
        const node = nodes[state];
        if (node && !isFormNode(node))
          expect(titles(allActions(card))).toEqual(
            expect.arrayContaining(node.choices.map((c) => t(language, c.label))),
          );
      }
    }
  });

  it('shows the summary as a list of facts with a positive Send, Cancel and short Change buttons', () => {
    const { nodes } = content().dialog;
    for (const language of LANGUAGES) {
      const summaries = personal(language).filter((each) => each.state.endsWith('.confirm'));
      expect(summaries.length).toBeGreaterThan(0);
      for (const { state, reply } of summaries) {
        const form = nodes[state.split('.')[0]!]!;
        if (!isFormNode(form) || !form.confirm) throw new Error(`${state} is not a form's summary`);
        const card = cardOf(reply);
        const facts = (card.body as Element[]).find((element) => element.type === 'FactSet');
        expect(facts).toBeDefined();
        const values = (facts!.facts as { title: string; value: string }[]).map((fact) => fact.value);
        expect(values).toHaveLength(form.ask.length);
        expect(values).toContain(ANSWERS.fullName);
        const shown = visibleActions(card);
        expect(shown.length).toBeLessThanOrEqual(MOST_BUTTONS);
        expect(shown[0]).toMatchObject({ title: t(language, form.confirm.send), style: 'positive' });
        expect(titles(shown)).toContain(t(language, 'common:choice.cancel'));
        expect(titles(allActions(card))).toEqual(
          expect.arrayContaining(form.ask.map((question) => t(language, question.edit!))),
        );
      }
    }
  });

  it('shows a link as short text with an "Open …" button instead of the whole address', () => {
    const links = Object.values(content().dialog.links);
    let opened = 0;
    for (const language of LANGUAGES) {
      for (const { state, reply } of personal(language)) {
        const card = cardOf(reply);
        const texts = cardTexts(card).join('\n');
        // What the reader sees: link targets are not shown.
        expect({ state, shown: texts.replace(/\]\([^)]*\)/g, ']') }).not.toEqual({
          state,
          shown: expect.stringContaining('https://'),
        });
        const actions = allActions(card).filter((action) => action.type === 'Action.OpenUrl');
        for (const [, text, url] of texts.matchAll(/\[([^\]]*)\]\(([^)\s]*)\)/g)) {
          expect(links).toContain(url);
          expect(actions).toContainEqual(
            expect.objectContaining({ url, title: t(language, 'teams:chat.open').replace('{{site}}', text!) }),
          );
          expect(text!.length).toBeLessThan(url!.length);
          opened++;
        }
      }
    }
    expect(opened).toBeGreaterThan(0);
  });

  it('shows typed values as typed, without markdown escapes', () => {
    for (const language of LANGUAGES) {
      const summary = personal(language).find((each) => each.state.endsWith('.confirm'))!;
      const texts = cardTexts(cardOf(summary.reply)).join('\n');
      expect(texts).toContain(ANSWERS.centreName);
      expect(texts).not.toMatch(/\\[()]/);
    }
  });

  it('sets the quoted site message apart in a style readable in both Teams themes', () => {
    const quoted = personal('en').flatMap(({ reply }) => containers(cardOf(reply)));
    expect(quoted.length).toBeGreaterThan(0);
    for (const theme of ['light', 'dark'] as const) {
      const colours = palette(theme);
      for (const container of quoted) {
        const style = (container.style ?? 'default') as ContainerStyle;
        // Its text is readable on it (WCAG AA), and it stands out from the card around it.
        expect(contrast(colours.text[style], colours.backgrounds[style])).toBeGreaterThanOrEqual(4.5);
        expect(contrast(colours.backgrounds[style], colours.backgrounds.default)).toBeGreaterThanOrEqual(1.2);
      }
    }
  });
});
