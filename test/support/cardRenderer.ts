import path from 'node:path';
import type { Page } from 'playwright-core';
import { ROOT } from './helpers';
import { palette, type Theme } from './teamsHostConfig';

/** What rendering one card in the page found. */
export interface Rendered {
  fallsBack: boolean;
  warnings: string[];
  height: number;
  /** Buttons shown before any "More options" is opened. */
  buttons: number;
  /** Text elements (text blocks, facts) cut off, with the card's buttons shown and all opened. */
  clipped: string[];
  /** Button titles the button's one line cuts with an ellipsis. */
  cutTitles: string[];
}

/**
 * Teams draws a button one line high, cutting a longer title with an ellipsis (the renderer's own title
 * element does the cutting); these rules give the buttons Teams' size, and the page the theme's card. Segoe UI,
 * Teams' font, is not on this machine: DejaVu Sans Condensed, of about its width, stands in for it.
 */
function pageStyle(theme: Theme): string {
  const colours = palette(theme);
  return `
    body { margin: 0; padding: 8px; background: ${theme === 'dark' ? '#1f1f1f' : '#f5f5f5'}; }
    #host ul, #host ol { box-sizing: border-box; }
    #host, #host * { font-family: 'DejaVu Sans Condensed', sans-serif !important; }
    .ac-pushButton { height: 32px; padding: 0 12px; border-radius: 4px; font-size: 14px; font-weight: 600;
      min-width: 0; max-width: 100%; border: 1px solid ${theme === 'dark' ? '#605e5c' : '#c8c6c4'};
      background: ${colours.backgrounds.default}; color: ${colours.text.default}; display: flex;
      align-items: center; justify-content: center; overflow: hidden; }
    #host a { color: ${colours.colours.accent}; }
    .ac-pushButton.style-positive { background: #6264a7; color: #ffffff; border-color: #6264a7; }`;
}

/** Runs in the page: renders a card as a 1.2 host with the given configuration and measures it. */
export function renderInPage([json, hostConfig, width]: [unknown, unknown, number]): Rendered {
  const AC = (window as unknown as { AdaptiveCards: typeof import('adaptivecards') }).AdaptiveCards;
  const host = document.getElementById('host')!;
  host.innerHTML = '';
  host.style.width = `${width}px`;
  const card = new AC.AdaptiveCard();
  card.hostConfig = new AC.HostConfig(hostConfig);
  card.maxVersion = AC.Versions.v1_2;
  const context = new AC.SerializationContext(AC.Versions.v1_2);
  card.parse(json, context);
  const warnings = Array.from({ length: context.eventCount }, (_, index) => context.getEventAt(index).message);
  const element = card.render();
  if (element) host.appendChild(element);
  const visible = (node: Element) => (node as HTMLElement).offsetParent !== null;
  const buttons = Array.from(host.querySelectorAll('.ac-pushButton')).filter(visible).length;
  const height = host.getBoundingClientRect().height;
  const edge = host.getBoundingClientRect().right;
  // Cut off: more content than room where the element hides what does not fit, or sticking out of the card.
  const cut = (node: Element) => {
    const style = getComputedStyle(node);
    return (
      (node.scrollWidth > node.clientWidth + 1 && style.overflowX !== 'visible') ||
      (node.scrollHeight > node.clientHeight + 1 && style.overflowY !== 'visible') ||
      node.getBoundingClientRect().right > edge + 1
    );
  };
  const cutAmong = (selector: string) =>
    Array.from(host.querySelectorAll(selector))
      .filter(visible)
      .filter(cut)
      .map(
        (node) =>
          `${(node as HTMLElement).innerText} (${node.scrollWidth} px wide in ${node.clientWidth}, ` +
          `${node.scrollHeight} px high in ${node.clientHeight})`,
      );
  const texts = '.ac-textBlock, .ac-factset td';
  const titles = '.ac-pushButton > div';
  const clipped = cutAmong(texts);
  const cutTitles = cutAmong(titles);
  // Open every "More options" and "Change a detail" and look again.
  for (const button of Array.from(host.querySelectorAll('.ac-pushButton[aria-expanded="false"]')))
    (button as HTMLElement).click();
  clipped.push(...cutAmong(texts));
  cutTitles.push(...cutAmong(titles));
  for (const button of Array.from(host.querySelectorAll('.ac-pushButton[aria-expanded="true"]')))
    (button as HTMLElement).click();
  return {
    fallsBack: card.shouldFallback(),
    warnings,
    height,
    buttons,
    clipped: [...new Set(clipped)],
    cutTitles: [...new Set(cutTitles)],
  };
}

/** A page ready to render cards as Teams in this theme: the renderer, markdown, Teams' button size. */
export async function preparePage(page: Page, theme: Theme): Promise<void> {
  await page.setContent(
    `<html><head><style>${pageStyle(theme)}</style></head><body><div id="host"></div></body></html>`,
  );
  await page.addScriptTag({ path: path.join(ROOT, 'node_modules', 'markdown-it', 'dist', 'markdown-it.min.js') });
  await page.addScriptTag({ path: path.join(ROOT, 'node_modules', 'adaptivecards', 'dist', 'adaptivecards.js') });
  // Teams renders the cards' markdown; markdown-it does it here.
  await page.evaluate(() => {
    const { AdaptiveCards: AC, markdownit } = window as unknown as {
      AdaptiveCards: typeof import('adaptivecards');
      markdownit: () => { render(text: string): string };
    };
    const markdown = markdownit();
    AC.AdaptiveCard.onProcessMarkdown = (text, result) => {
      result.outputHtml = markdown.render(text);
      result.didProcess = true;
    };
  });
}
