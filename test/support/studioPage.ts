import type { BrowserContext } from 'playwright-core';
import { flatten } from '../../src/content/localeFiles';
import type { Language } from '../../src/dialog/languages';
import { activity } from './activities';
import { content } from './helpers';
import { EMAILS, PASSWORDS } from './studioClient';
import { studioSays } from './studioWords';

/** The studio page, signed in afresh as a publisher, the page's words in English. */
export async function signedInStudio(browser: BrowserContext, url: string) {
  const say = studioSays('en');
  const page = browser.pages()[0] ?? (await browser.newPage());
  await page.context().clearCookies();
  await page.setViewportSize({ width: 1400, height: 1000 });
  await page.goto(`${url}/studio`);
  await page.getByLabel(say('signIn.email')).fill(EMAILS.publisher);
  await page.getByLabel(say('signIn.password')).fill(PASSWORDS.publisher);
  await page.getByLabel(say('signIn.password')).press('Enter');
  await page.getByRole('heading', { name: say('steps.title') }).waitFor();
  return page;
}

/** One turn over /api/messages, as a channel posts it: the dialog state the bot reports. */
export async function stateAfter(url: string, conversation: string, fields: Record<string, unknown>) {
  const response = await fetch(`${url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(activity(conversation, { locale: 'de-DE', ...fields })),
  });
  const body = (await response.json()) as { activities?: Array<{ type: string; value?: unknown }> };
  return (body.activities ?? []).find((each) => each.type === 'trace')?.value as
    { topic: string; state: string; expecting?: string } | undefined;
}

/** A text of the content as its locale file writes it (placeholders unfilled): `common:…` or a helpdesk key. */
export function contentText(language: Language, key: string): string {
  const [ns, name] = key.includes(':') ? key.split(':') : ['helpdesk', key];
  const texts = new Map(flatten(content().resources[language][ns as 'helpdesk']));
  const text = texts.get(name!);
  if (typeof text !== 'string') throw new Error(`no text ${key} in ${language}`);
  return text;
}
