import { loadConfig } from '../../src/config';
import { isFormNode } from '../../src/content/dialogSchema';
import { LANGUAGES } from '../../src/dialog/languages';
import { startBot, type RunningBot } from '../../src/index';
import { createLogger } from '../../src/logger';
import { readAsHost } from '../support/adaptiveCardHost';
import { content } from '../support/helpers';
import { cardOf, teamsPoster, walkTeams, type WalkedReply } from '../support/teamsWalk';

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
});
