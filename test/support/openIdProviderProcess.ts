import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { createTranslator } from '../../src/content/i18n';
import { BotProcess } from './botProcess';
import { content, ROOT } from './helpers';
import { freePort } from './redisServer';
import { studioDataDir } from './studioClient';

export interface ProviderSetup {
  client: { id: string; secret: string; redirectUri: string };
  /** Per login name: the claims of the person's ID token (email, roles, groups, ...). */
  people: Record<string, Record<string, unknown>>;
}

/** The test OpenID provider (openIdProvider.mts, oidc-provider) as its own process on 127.0.0.1. */
export class OpenIdProviderProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly issuer: string,
  ) {}

  static async start(setup: ProviderSetup): Promise<OpenIdProviderProcess> {
    const script = path.join(ROOT, 'test', 'support', 'openIdProvider.mts');
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      env: { ...process.env, OIDC_TEST_SETUP: JSON.stringify(setup) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const issuer = await new Promise<string>((resolve, reject) => {
      const read = (chunk: Buffer) => {
        output += chunk;
        const match = /\{"issuer":"([^"]+)"\}/.exec(output);
        if (match) resolve(match[1]!);
      };
      child.stdout!.on('data', read);
      child.stderr!.on('data', (chunk: Buffer) => (output += chunk));
      child.once('exit', (code) => reject(new Error(`the OpenID provider exited with ${code}: ${output}`)));
    });
    return new OpenIdProviderProcess(child, issuer);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    await once(this.child, 'exit');
  }
}

/** One hop of a navigation: where the browser went and what it got. */
export interface Hop {
  url: URL;
  status: number;
  location?: string;
  headers: Headers;
  body: string;
}

/**
 * What a browser does with plain HTTP: cookies per host (path and expiry as the server sets them, enough for these
 * tests), redirects followed hop by hop. `stopBefore` leaves a hop to the test (e.g. the bot's callback).
 */
export class HttpBrowser {
  /** Every hop of every browser, for the contract test. */
  static readonly hops: Hop[] = [];
  private readonly cookies = new Map<string, Map<string, string>>();

  constructor(private readonly headers: Record<string, string> = {}) {}

  cookie(url: string | URL, name: string): string | undefined {
    return this.cookies.get(new URL(url).host)?.get(name);
  }

  private remember(url: URL, response: Response): void {
    const jar = this.cookies.get(url.host) ?? new Map<string, string>();
    this.cookies.set(url.host, jar);
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const [name, ...value] = pair!.trim().split('=');
      const expired = attributes.some((attribute) => /^\s*max-age=0\s*$/i.test(attribute));
      if (expired || value.join('=') === '') jar.delete(name!);
      else jar.set(name!, value.join('='));
    }
  }

  /** One request with this browser's cookies for the host, without following a redirect. */
  async request(url: string | URL, init: { method?: string; form?: Record<string, string> } = {}): Promise<Hop> {
    const target = new URL(url);
    const jar = this.cookies.get(target.host) ?? new Map<string, string>();
    const response = await fetch(target, {
      method: init.method ?? (init.form ? 'POST' : 'GET'),
      redirect: 'manual',
      headers: {
        ...this.headers,
        cookie: [...jar].map(([name, value]) => `${name}=${value}`).join('; '),
        ...(init.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(init.form ? { body: new URLSearchParams(init.form).toString() } : {}),
    });
    this.remember(target, response);
    const location = response.headers.get('location') ?? undefined;
    const hop: Hop = {
      url: target,
      status: response.status,
      ...(location ? { location: new URL(location, target).href } : {}),
      headers: response.headers,
      body: await response.text(),
    };
    HttpBrowser.hops.push(hop);
    return hop;
  }

  /** Requests and follows redirects; every hop, the last one (not a redirect, or the one stopped before) last. */
  async navigate(
    url: string | URL,
    init: { form?: Record<string, string>; stopBefore?: (next: URL) => boolean } = {},
  ): Promise<Hop[]> {
    const hops = [await this.request(url, init.form ? { form: init.form } : {})];
    for (let hop = hops[0]!; hop.location && hop.status >= 300 && hop.status < 400;) {
      if (init.stopBefore?.(new URL(hop.location))) break;
      if (hops.length > 20) throw new Error(`too many redirects: ${hops.map((each) => each.url.href).join(' → ')}`);
      hop = await this.request(hop.location);
      hops.push(hop);
    }
    return hops;
  }
}

export const OIDC_CLIENT = { id: 'helpdesk-studio', secret: 'oidc-client-secret-4b1d9e' };

/**
 * The test provider and the bot (its own process, studio on, file storage with the two local accounts) set up for
 * each other. `botHost` is the bot's name in the callback and for the browser: localhost makes the provider
 * (127.0.0.1) another site, as a real one is.
 */
export async function botWithProvider(options: {
  people: ProviderSetup['people'];
  name: string;
  botHost?: 'localhost' | '127.0.0.1';
}): Promise<{ provider: OpenIdProviderProcess; bot: BotProcess; url: string; dataDir: string }> {
  const port = await freePort();
  const url = `http://${options.botHost ?? '127.0.0.1'}:${port}`;
  const redirectUri = `${url}/studio/auth/oidc/callback`;
  const provider = await OpenIdProviderProcess.start({
    client: { ...OIDC_CLIENT, redirectUri },
    people: options.people,
  });
  const dataDir = await studioDataDir();
  const bot = await BotProcess.start({
    PORT: String(port),
    STUDIO: 'on',
    STUDIO_DATA_DIR: dataDir,
    STUDIO_OIDC_ISSUER: provider.issuer,
    STUDIO_OIDC_CLIENT_ID: OIDC_CLIENT.id,
    STUDIO_OIDC_CLIENT_SECRET: OIDC_CLIENT.secret,
    STUDIO_OIDC_REDIRECT_URL: redirectUri,
    STUDIO_OIDC_NAME: options.name,
  }).catch(async (error: unknown) => {
    await provider.stop();
    throw error;
  });
  return { provider, bot, url, dataDir };
}

/** The sign-in's words as the content has them (web:studio.*), with the provider's name filled in. */
export function signInWords(
  provider: string,
): (language: string, key: string, values?: Record<string, string>) => string {
  const words = createTranslator(content());
  return (language, key, values = {}) => words.getFixedT(language)(`web:${key}`, { provider, ...values });
}
