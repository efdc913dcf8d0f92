/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import type { ElementHandle, Frame, Page } from 'puppeteer-core';
import { transcriptShows, wantedWords } from './pageHelpers';

/** What a test hands a Firefox page: the page itself or one of its frames. */
type Scope = Page | Frame;

/** Resolves once Web Chat's transcript shows these words (the bot's or the user's). */
export async function showsInFirefox(page: Page, words: string, timeout = 20_000): Promise<void> {
  await page.waitForFunction(transcriptShows, { timeout }, [wantedWords(words), '[‘’]'] as const);
}

/** The form control a label with exactly these words names, as a person finds it on the page. */
export async function labelled(scope: Scope, words: string): Promise<ElementHandle<HTMLElement>> {
  const handle = await scope.waitForFunction(
    (wanted) => {
      const label = [...document.querySelectorAll('label')].find((each) => each.textContent?.trim() === wanted);
      const control = label?.htmlFor ? document.getElementById(label.htmlFor) : label?.control;
      return control ?? false;
    },
    {},
    words,
  );
  return handle as ElementHandle<HTMLElement>;
}

/** A visible button with exactly these words, inside `within` (a CSS selector) when given. */
export async function button(scope: Scope, words: string, within = 'body'): Promise<ElementHandle<HTMLElement>> {
  const handle = await scope.waitForFunction(
    (wanted, container) =>
      [...(document.querySelector(container)?.querySelectorAll('button') ?? [])].find(
        (each) => each.textContent?.trim() === wanted && each.getClientRects().length > 0,
      ) ?? false,
    {},
    words,
    within,
  );
  return handle as ElementHandle<HTMLElement>;
}

/** Resolves once an element matching the selector has text matching the pattern. */
export async function textAppears(scope: Scope, selector: string, pattern: RegExp, timeout = 20_000): Promise<void> {
  await scope.waitForFunction(
    (css, source, flags) =>
      [...document.querySelectorAll(css)].some((each) => new RegExp(source, flags).test(each.textContent ?? '')),
    { timeout },
    selector,
    pattern.source,
    pattern.flags,
  );
}

/** Replaces what a text box holds the way a person does: select everything, then type. */
export async function retype(page: Page, box: ElementHandle<HTMLElement>, text: string): Promise<void> {
  await box.focus();
  await page.keyboard.down('Control');
  await page.keyboard.press('KeyA');
  await page.keyboard.up('Control');
  await page.keyboard.press('Backspace');
  await page.keyboard.type(text);
}

/** Whatever has the keyboard focus, as id, tag and text, to follow a walk with Tab. */
export const focused = (page: Page) =>
  page.evaluate(() => {
    const active = document.activeElement;
    return { id: active?.id ?? '', tag: active?.tagName.toLowerCase() ?? '', text: active?.textContent?.trim() ?? '' };
  });

/** Starts keeping the page's uncaught errors and rejections (not the browser's warnings); read them with the result. */
export async function pageErrors(page: Page): Promise<() => Promise<string[]>> {
  await page.evaluateOnNewDocument(() => {
    const kept: string[] = [];
    (window as unknown as { pageErrors: string[] }).pageErrors = kept;
    window.addEventListener('error', (event) => kept.push(String(event.message)));
    window.addEventListener('unhandledrejection', (event) => kept.push(String(event.reason)));
  });
  return () => page.evaluate(() => (window as unknown as { pageErrors?: string[] }).pageErrors ?? ['no record']);
}
