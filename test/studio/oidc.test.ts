import { roleOf } from '../../src/studio/oidc';
import { SIGN_IN_ATTEMPTS } from '../../src/studio/open';
import { FileStudioStore } from '../../src/studio/store';
import type { BotProcess } from '../support/botProcess';
import { Contract } from '../support/contract';
import {
  botWithProvider,
  signInWords,
  HttpBrowser,
  OIDC_CLIENT,
  OpenIdProviderProcess,
  type Hop,
} from '../support/openIdProviderProcess';
import { EMAILS, openingKey, PASSWORDS, StudioClient } from '../support/studioClient';

// Publishing runs every conversation script in five languages: it takes long on a busy machine.
jest.setTimeout(120_000);

const CLIENT_SECRET = OIDC_CLIENT.secret;
const PROVIDER = 'Contoso ID';
const PEOPLE = {
  pia: { email: 'Pia.Publisher@example.org', name: 'Pia', roles: ['studio.publisher'] },
  eddie: { email: 'eddie@example.org', name: 'Eddie', roles: ['studio.editor', 'other.app.role'] },
  nora: { email: 'nora@example.org', name: 'Nora', roles: ['other.app.role'] },
};

/** A page's HTML with the characters it escapes put back, to find a text of the content in it. */
const shown = (hop: Hop | undefined) =>
  hop!.body.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));

const say = signInWords(PROVIDER);

describe('signing in to the studio with OpenID Connect (the bot and an OpenID provider as processes)', () => {
  let provider: OpenIdProviderProcess;
  let bot: BotProcess;
  let dataDir: string;
  const callback = (hop: URL) => hop.pathname === '/studio/auth/oidc/callback';

  beforeAll(async () => {
    ({ provider, bot, dataDir } = await botWithProvider({ people: PEOPLE, name: PROVIDER }));
  }, 60_000);
  afterAll(async () => {
    await bot?.stop();
    await provider?.stop();
  });

  /** From the studio's "Sign in with …" to the provider's sign-in form, and the form's answer up to the callback. */
  async function atProvider(
    browser: HttpBrowser,
  ): Promise<{ form: Hop; answer: (form: Record<string, string>) => Promise<Hop[]> }> {
    const hops = await browser.navigate(`${bot.url}/studio/auth/oidc/login`);
    const form = hops.at(-1)!;
    expect(hops[0]!.status).toBe(303);
    expect(form.url.origin).toBe(provider.issuer);
    expect(form.status).toBe(200);
    return { form, answer: (answer) => browser.navigate(form.url, { form: answer, stopBefore: callback }) };
  }

  /** The whole code flow as a browser runs it; the hops from the callback on. */
  async function signIn(browser: HttpBrowser, login: string): Promise<Hop[]> {
    const hops = await (await atProvider(browser)).answer({ login, action: 'login' });
    return browser.navigate(hops.at(-1)!.location!);
  }

  it('offers the button with its words from the content, and starts with PKCE, state and nonce', async () => {
    const answer = await new HttpBrowser().request(`${bot.url}/studio/api/sign-in-options?lang=de`);
    const options = JSON.parse(answer.body) as { oidc: { name: string; label: string; href: string } };
    expect(options.oidc).toEqual({
      name: PROVIDER,
      label: say('de', 'studio.signInWith'),
      href: '/studio/auth/oidc/login',
    });
    const start = await new HttpBrowser().request(`${bot.url}${options.oidc.href}`);
    expect(start.status).toBe(303);
    const authorize = new URL(start.location!);
    expect(authorize.origin).toBe(provider.issuer);
    expect(Object.fromEntries(authorize.searchParams)).toMatchObject({
      client_id: OIDC_CLIENT.id,
      response_type: 'code',
      code_challenge_method: 'S256',
      redirect_uri: `${bot.url}/studio/auth/oidc/callback`,
    });
    for (const check of ['code_challenge', 'state', 'nonce'])
      expect(authorize.searchParams.get(check)).toMatch(/^[\w-]{30,}$/);
  });

  it('opens the same session as a password: a publisher edits and publishes, with the CSRF token', async () => {
    const browser = new HttpBrowser();
    const hops = await signIn(browser, 'pia');
    expect(hops[0]!.status).toBe(303);
    expect(hops[0]!.location).toBe(`${bot.url}/studio`);
    expect(hops.at(-1)!.status).toBe(200);
    const cookie = browser.cookie(bot.url, 'studio_session');
    expect(cookie).toBeDefined();
    // The callback's cookie, as a password's: HttpOnly and SameSite=Strict; the sign-in under way is forgotten.
    expect(browser.cookie(bot.url, 'studio_oidc')).toBeUndefined();

    const client = new StudioClient(bot.url);
    client.cookie = `studio_session=${cookie}`;
    const session = (await (await client.call('GET', '/studio/api/session')).json()) as Record<string, string>;
    expect(session).toMatchObject({ email: 'pia.publisher@example.org', role: 'publisher' });
    client.csrfToken = session.csrfToken!;

    const key = openingKey();
    const { text, etag } = await client.getText('it', key);
    const withoutToken = new StudioClient(bot.url);
    withoutToken.cookie = client.cookie;
    expect((await withoutToken.putText('it', key, `${text} `, etag)).status).toBe(403);
    expect((await client.putText('it', key, `${text} Ciao.`, etag)).status).toBe(200);
    const published = await client.call('POST', '/studio/api/publish', {
      message: 'A greeting, signed in with OpenID',
    });
    expect(published.status).toBe(201);

    const audit = (await new FileStudioStore(dataDir).lines('audit')).map(
      (line) => JSON.parse(line) as Record<string, unknown>,
    );
    const subject = 'pia';
    expect(audit).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          actor: 'pia.publisher@example.org',
          action: 'sign-in',
          details: { via: 'openid', issuer: provider.issuer, subject },
        }),
        expect.objectContaining({ actor: 'pia.publisher@example.org', action: 'publish' }),
      ]),
    );
  });

  it('gives an editor an editor session: drafting yes, publishing no', async () => {
    const browser = new HttpBrowser();
    await signIn(browser, 'eddie');
    const client = new StudioClient(bot.url);
    client.cookie = `studio_session=${browser.cookie(bot.url, 'studio_session')}`;
    const session = (await (await client.call('GET', '/studio/api/session')).json()) as Record<string, string>;
    expect(session).toMatchObject({ email: 'eddie@example.org', role: 'editor' });
    client.csrfToken = session.csrfToken!;
    const { text, etag } = await client.getText('fr', openingKey());
    expect((await client.putText('fr', openingKey(), `${text} Bonjour.`, etag)).status).toBe(200);
    expect((await client.call('POST', '/studio/api/publish', { message: 'not allowed' })).status).toBe(403);
  }, 30_000);

  it('refuses someone without a studio role with a page in their language, and records it', async () => {
    const browser = new HttpBrowser({ 'accept-language': 'de-DE,de;q=0.9,en;q=0.5' });
    const [refused] = await signIn(browser, 'nora');
    expect(refused!.status).toBe(403);
    expect(refused!.body).toContain('<html lang="de">');
    expect(shown(refused)).toContain(say('de', 'studio.refused.noRole', { account: 'nora@example.org' }));
    expect(shown(refused)).toContain(say('de', 'studio.refused.back'));
    expect(browser.cookie(bot.url, 'studio_session')).toBeUndefined();
    const audit = await new FileStudioStore(dataDir).lines('audit');
    expect(audit.map((line) => JSON.parse(line) as Record<string, unknown>)).toContainEqual(
      expect.objectContaining({ actor: 'nora@example.org', action: 'sign-in refused' }),
    );
  }, 30_000);

  it('refuses an answer whose state is not this sign-in’s, and a callback used twice', async () => {
    const browser = new HttpBrowser({ 'accept-language': 'fr' });
    const hops = await (await atProvider(browser)).answer({ login: 'pia', action: 'login' });
    const answer = new URL(hops.at(-1)!.location!);
    expect(answer.searchParams.get('code')).toBeTruthy();
    const forged = new URL(answer);
    forged.searchParams.set('state', 'not-the-state-of-this-sign-in');
    const refused = await browser.request(forged);
    expect(refused.status).toBe(400);
    expect(shown(refused)).toContain(say('fr', 'studio.refused.failed'));
    expect(refused.body).not.toMatch(/at \w+ \(|Error:/);
    // The sign-in is spent: its genuine answer, now late, opens no session either.
    const replayed = await browser.request(answer);
    expect(replayed.status).toBe(400);
    expect(shown(replayed)).toContain(say('fr', 'studio.refused.expired'));
    expect(browser.cookie(bot.url, 'studio_session')).toBeUndefined();
  }, 30_000);

  it('says so when the person cancels at the provider, or a callback comes without a sign-in', async () => {
    const browser = new HttpBrowser({ 'accept-language': 'es' });
    const hops = await (await atProvider(browser)).answer({ login: '', action: 'cancel' });
    expect(new URL(hops.at(-1)!.location!).searchParams.get('error')).toBe('access_denied');
    const [denied] = await browser.navigate(hops.at(-1)!.location!);
    expect(denied!.status).toBe(403);
    expect(shown(denied)).toContain(say('es', 'studio.refused.denied'));

    const stranger = await new HttpBrowser().request(`${bot.url}/studio/auth/oidc/callback?code=abc&state=def`);
    expect(stranger.status).toBe(400);
    expect(shown(stranger)).toContain(say('en', 'studio.refused.expired'));
  }, 30_000);

  it('says so when the provider cannot be reached, and the bot carries on', async () => {
    const browser = new HttpBrowser({ 'accept-language': 'it' });
    const hops = await (await atProvider(browser)).answer({ login: 'pia', action: 'login' });
    await provider.stop();
    const unreachable = await browser.request(hops.at(-1)!.location!);
    expect(unreachable.status).toBe(502);
    expect(shown(unreachable)).toContain(say('it', 'studio.refused.unavailable'));
    expect(browser.cookie(bot.url, 'studio_session')).toBeUndefined();
    expect((await fetch(`${bot.url}/studio`)).status).toBe(200);
  });

  it('counts sign-ins started and not completed against the sign-in limit of the address', async () => {
    const browser = new HttpBrowser();
    let hop = await browser.request(`${bot.url}/studio/auth/oidc/login`);
    for (let started = 1; hop.status === 303 && started <= SIGN_IN_ATTEMPTS.perAccount; started++)
      hop = await browser.request(`${bot.url}/studio/auth/oidc/login`);
    expect(hop.status).toBe(429);
    expect(Number(hop.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(shown(hop)).toContain(say('en', 'studio.refused.tooMany'));
  });

  it('answers as api/studio.v1.yaml documents', () => {
    const contract = new Contract('studio.v1.yaml');
    const answers = HttpBrowser.hops
      .filter((hop) => hop.url.origin === bot.url)
      .map((hop) => ({
        method: 'GET',
        route: hop.url.pathname,
        status: hop.status,
        headers: hop.headers,
        body: hop.headers.get('content-type')?.startsWith('application/json')
          ? (JSON.parse(hop.body) as unknown)
          : hop.body,
      }))
      .filter((answer) => answer.route.startsWith('/studio/auth/') || answer.route === '/studio/api/sign-in-options');
    const routes = new Set(answers.map((answer) => `${answer.method} ${answer.route}`));
    expect([...routes].sort()).toEqual(
      ['/studio/api/sign-in-options', '/studio/auth/oidc/callback', '/studio/auth/oidc/login'].map(
        (route) => `GET ${route}`,
      ),
    );
    const problems = answers.flatMap((answer) =>
      contract.check(answer.method, answer.route, answer.status, answer.body, answer.headers),
    );
    expect(problems).toEqual([]);
  });

  it('keeps local accounts working beside it, and never logs the client secret', async () => {
    expect((await new StudioClient(bot.url).signIn(EMAILS.editor, PASSWORDS.editor)).status).toBe(200);
    expect(bot.output).toContain('STUDIO_OIDC');
    expect(bot.output).not.toContain(CLIENT_SECRET);
  });
});

describe('the studio role of an OpenID sign-in', () => {
  const appRoles = { roleClaim: 'roles', editorRole: 'studio.editor', publisherRole: 'studio.publisher' };

  it('comes from Entra ID app roles by default, the higher one when both are given', () => {
    expect(roleOf(appRoles, { roles: ['studio.editor'] })).toBe('editor');
    expect(roleOf(appRoles, { roles: ['studio.editor', 'studio.publisher'] })).toBe('publisher');
    expect(roleOf(appRoles, { roles: 'studio.publisher' })).toBe('publisher');
    expect(roleOf(appRoles, { roles: ['studio.reader'] })).toBeUndefined();
    expect(roleOf(appRoles, {})).toBeUndefined();
  });

  it('can come from group ids instead', () => {
    const groups = { roleClaim: 'groups', editorRole: '6f1c-editors', publisherRole: '9a2d-publishers' };
    expect(roleOf(groups, { groups: ['0000-other', '6f1c-editors'] })).toBe('editor');
    expect(roleOf(groups, { roles: ['studio.publisher'] })).toBeUndefined();
  });
});
