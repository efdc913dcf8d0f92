import type { BotProcess } from '../support/botProcess';
import { launchBrowser, seriousViolations } from '../support/browser';
import { botWithProvider, signInWords, type OpenIdProviderProcess } from '../support/openIdProviderProcess';

jest.setTimeout(120_000);

const PROVIDER = 'Microsoft';
const PEOPLE = {
  pia: { email: 'pia@example.org', name: 'Pia', roles: ['studio.publisher'] },
  nora: { email: 'nora@example.org', name: 'Nora', roles: [] },
};
const say = signInWords(PROVIDER);

describe('"Sign in with Microsoft" on the studio page in Chromium', () => {
  let provider: OpenIdProviderProcess;
  let bot: BotProcess;
  let url: string;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  beforeAll(async () => {
    // The bot as localhost and the provider as 127.0.0.1: two sites, as in real life, so SameSite counts.
    ({ provider, bot, url } = await botWithProvider({ people: PEOPLE, name: PROVIDER, botHost: 'localhost' }));
    browser = await launchBrowser('en-GB');
  });
  afterAll(async () => {
    await browser?.dispose();
    await bot?.stop();
    await provider?.stop();
  });

  it('signs in with the keyboard through the provider and lands in the studio with a working session', async () => {
    const page = browser.pages()[0] ?? (await browser.newPage());
    await page.goto(`${url}/studio`);
    const button = page.getByRole('link', { name: say('en', 'studio.signInWith') });
    await button.waitFor();
    expect(await seriousViolations(page)).toEqual([]);

    // The link comes right after the password form's button, in the tab order.
    await page.getByRole('button', { name: 'Sign in' }).focus();
    await page.keyboard.press('Tab');
    expect(await button.evaluate((link) => link === document.activeElement)).toBe(true);
    await page.keyboard.press('Enter');

    await page.getByLabel('Name').fill('pia');
    await page.getByLabel('Name').press('Enter');
    await page.getByRole('heading', { name: 'The conversation' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/studio');
    await page.locator('#who').getByText('pia@example.org').waitFor();
    expect(await page.locator('#who').textContent()).toMatch(/publisher/);
    // The page's own API calls carry the session and its CSRF token: publishing is open to her.
    expect(await page.getByRole('button', { name: 'Publish the draft' }).isEnabled()).toBe(true);
    const cookies = await browser.cookies(`${url}/studio`);
    expect(cookies.find((cookie) => cookie.name === 'studio_session')).toMatchObject({
      httpOnly: true,
      sameSite: 'Strict',
    });

    await page.getByRole('button', { name: 'Sign out' }).click();
    await button.waitFor();
  });

  it('shows someone without a role why, in their language, with the way back', async () => {
    const german = await launchBrowser('de-DE');
    try {
      const page = german.pages()[0] ?? (await german.newPage());
      await page.goto(`${url}/studio`);
      // The page is in English, so is its button; the refusal follows the browser's language.
      await page.getByRole('link', { name: say('en', 'studio.signInWith') }).click();
      await page.getByLabel('Name').fill('nora');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: say('de', 'studio.refused.title') }).waitFor();
      await page.getByText(say('de', 'studio.refused.noRole', { account: 'nora@example.org' })).waitFor();
      expect(await seriousViolations(page)).toEqual([]);
      await page.getByRole('link', { name: say('de', 'studio.refused.back') }).click();
      await page.getByLabel('Email address').waitFor();
    } finally {
      await german.dispose();
    }
  });
});
