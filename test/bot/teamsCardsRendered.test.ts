import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { isFormNode } from '../../src/content/dialogSchema';
import { LANGUAGES } from '../../src/dialog/languages';
import { startBot, type RunningBot } from '../../src/index';
import { createLogger } from '../../src/logger';
import { MOST_BUTTONS } from '../../src/bot/teamsCard';
import { ARTIFACTS, launchBrowser } from '../support/browser';
import { content } from '../support/helpers';
import { preparePage, renderInPage } from '../support/cardRenderer';
import { teamsHostConfig, type Theme } from '../support/teamsHostConfig';
import { cardOf, teamsPoster, walkTeams, type WalkedReply } from '../support/teamsWalk';

const WIDTHS = [360, 450] as const;
const THEMES: Theme[] = ['light', 'dark'];
const SHOTS = path.join(ARTIFACTS, 'teams-cards');

describe('every Teams card of a full walk, rendered in Chromium with Teams host configurations', () => {
  let bot: RunningBot;
  const cards: WalkedReply[] = [];
  beforeAll(async () => {
    bot = await startBot(loadConfig({ PORT: '0', HOST: '127.0.0.1' }), createLogger('silent'));
    const post = teamsPoster(bot.url, 'teams-rendered');
    const seen = new Set<string>();
    for (const language of LANGUAGES) {
      for (const scope of ['personal', 'groupChat'] as const) {
        for (const each of (await walkTeams(post, language, scope)).replies) {
          if (!each.reply.attachments) continue;
          const key = `${each.state}|${JSON.stringify(cardOf(each.reply).body)}`;
          if (seen.has(key)) continue;
          seen.add(key);
          cards.push(each);
        }
      }
    }
  }, 180_000);
  afterAll(async () => bot?.close());

  it('is accepted by a 1.2 host, cuts no text and shows no more buttons than allowed; screenshots saved', async () => {
    const { nodes, start } = content().dialog;
    const menu = nodes[start]!;
    const topics = isFormNode(menu) ? 0 : menu.choices.length;
    const browser = await launchBrowser('en-GB');
    const problems: string[] = [];
    const heights: Record<string, number> = {};
    // Button titles cut with an ellipsis, in the stand-in font (wider than Segoe UI): for people to look at.
    const cutTitles = new Set<string>();
    try {
      const page = await browser.newPage();
      for (const theme of THEMES) {
        await preparePage(page, theme);
        const config = teamsHostConfig(theme);
        for (const width of WIDTHS) {
          const folder = path.join(SHOTS, `${theme}-${width}`);
          mkdirSync(folder, { recursive: true });
          const named = new Map<string, number>();
          for (const { language, scope, state, reply } of cards) {
            const card = cardOf(reply);
            const rendered = await page.evaluate(renderInPage, [card, config, width] as [unknown, unknown, number]);
            const at = `${theme} ${width}px ${language} ${scope} ${state}`;
            if (rendered.fallsBack || rendered.warnings.length > 0)
              problems.push(`${at}: not accepted as 1.2 (${rendered.warnings.join('; ')})`);
            if (rendered.clipped.length > 0) problems.push(`${at}: cut off: ${rendered.clipped.join(' | ')}`);
            for (const title of rendered.cutTitles) cutTitles.add(`${theme} ${width}px ${language}: ${title}`);
            const allowed = state === start ? topics : MOST_BUTTONS;
            if (rendered.buttons > allowed) problems.push(`${at}: ${rendered.buttons} buttons (at most ${allowed})`);
            if (state === start && scope === 'personal' && !(`${theme} ${width} ${language}` in heights))
              heights[`${theme} ${width} ${language}`] = Math.round(rendered.height);
            // Every card of the English walk, and the menu and the summary in every language.
            if (language === 'en' || state === start || state.endsWith('.confirm')) {
              const name = `${language}-${scope}-${state.replace(/\./g, '_')}`;
              const count = (named.get(name) ?? 0) + 1;
              named.set(name, count);
              await page
                .locator('#host')
                .screenshot({ path: path.join(folder, `${name}${count > 1 ? `-${count}` : ''}.png`) });
            }
          }
        }
      }
    } finally {
      await browser.dispose();
    }
    const report = { menuHeights: heights, cutButtonTitles: [...cutTitles] };
    writeFileSync(path.join(SHOTS, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
    expect(cards.length).toBeGreaterThan(50);
    expect(problems).toEqual([]);
  }, 300_000);
});
