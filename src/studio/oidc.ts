import { createHash, randomBytes } from 'node:crypto';
import { isLoopbackUrl, type OidcSettings } from '../config';
import type { Logger } from '../logger';
import type { StudioStore } from './store';
import type { Role, Session, Studio } from './studio';

/** openid-client is an ES module: it is loaded when the first sign-in starts, only where OIDC is configured. */
type OpenIdClient = typeof import('openid-client', { with: { 'resolution-mode': 'import' } });
type Configuration = import('openid-client', { with: { 'resolution-mode': 'import' } }).Configuration;

/** How long a started sign-in may take at the provider before its callback is refused as expired. */
export const PENDING_SECONDS = 10 * 60;
const SCOPE = 'openid email profile';
const DISCOVERY_TIMEOUT_SECONDS = 10;

/** What a browser keeps between leaving for the provider and coming back: the checks of this one sign-in. */
interface Pending {
  state: string;
  nonce: string;
  codeVerifier: string;
}

export type OidcOutcome =
  | { status: 'signed-in'; id: string; session: Session }
  /** The provider knows the person, but no claim gives them a studio role. */
  | { status: 'no-role'; who: string }
  /** The person cancelled or the provider did not allow it (access_denied). */
  | { status: 'denied' }
  /** No sign-in was started in this browser, it took too long, or its answer was used already. */
  | { status: 'expired' }
  /** The answer does not match this sign-in (state, nonce, signature, issuer) or the provider sent an error. */
  | { status: 'refused' }
  | { status: 'unavailable' };

const pendingKey = (id: string) => `oidc:${createHash('sha256').update(id).digest('hex')}`;

/**
 * Signing in to the studio with an OpenID provider (Microsoft Entra ID or any other): the authorization code flow
 * with PKCE, state and nonce, through openid-client. The session it opens is the same as a password's.
 */
export class OidcSignIn {
  private library: Promise<OpenIdClient> | undefined;
  private configuration: Promise<Configuration> | undefined;

  constructor(
    readonly settings: OidcSettings,
    private readonly studio: Studio,
    private readonly store: StudioStore,
    private readonly logger: Logger,
  ) {}

  private client(): Promise<OpenIdClient> {
    this.library ??= import('openid-client');
    return this.library;
  }

  /** The provider's metadata and keys, discovered once; a failed discovery is tried again at the next sign-in. */
  private async discovered(): Promise<Configuration> {
    const client = await this.client();
    this.configuration ??= client
      .discovery(
        new URL(this.settings.issuer),
        this.settings.clientId,
        undefined,
        client.ClientSecretPost(this.settings.clientSecret),
        {
          timeout: DISCOVERY_TIMEOUT_SECONDS,
          // Plain HTTP only to a provider on this machine (the configuration refuses it elsewhere).
          ...(isLoopbackUrl(this.settings.issuer) ? { execute: [client.allowInsecureRequests] } : {}),
        },
      )
      .catch((error: unknown) => {
        this.configuration = undefined;
        throw error;
      });
    return this.configuration;
  }

  /** Starts a sign-in: the id the browser keeps in a cookie, and the provider's address to send it to. */
  async start(): Promise<{ pendingId: string; url: string } | { status: 'unavailable' }> {
    let configuration: Configuration;
    try {
      configuration = await this.discovered();
    } catch (error) {
      this.warn(error, 'studio: the OpenID provider cannot be reached');
      return { status: 'unavailable' };
    }
    const client = await this.client();
    const pending: Pending = {
      state: client.randomState(),
      nonce: client.randomNonce(),
      codeVerifier: client.randomPKCECodeVerifier(),
    };
    const pendingId = randomBytes(32).toString('base64url');
    await this.store.set(pendingKey(pendingId), JSON.stringify(pending), PENDING_SECONDS);
    const url = client.buildAuthorizationUrl(configuration, {
      redirect_uri: this.settings.redirectUrl,
      scope: SCOPE,
      code_challenge: await client.calculatePKCECodeChallenge(pending.codeVerifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
    });
    return { pendingId, url: url.href };
  }

  /** Completes a sign-in with the provider's answer (the callback's query); every check of the flow applies. */
  async finish(pendingId: string | undefined, query: string): Promise<OidcOutcome> {
    const text = pendingId ? await this.store.get(pendingKey(pendingId)) : undefined;
    if (!pendingId || !text) return { status: 'expired' };
    // One answer per sign-in: a replayed callback finds nothing.
    await this.store.delete(pendingKey(pendingId));
    const pending = JSON.parse(text) as Pending;
    const client = await this.client();
    const answer = new URL(this.settings.redirectUrl);
    answer.search = query;
    let claims: Record<string, unknown>;
    try {
      const tokens = await client.authorizationCodeGrant(await this.discovered(), answer, {
        pkceCodeVerifier: pending.codeVerifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      claims = (tokens.claims() ?? {}) as Record<string, unknown>;
    } catch (error) {
      if (error instanceof client.AuthorizationResponseError) {
        this.logger.info({ error: error.error }, 'studio: the OpenID provider did not sign the person in');
        return { status: error.error === 'access_denied' ? 'denied' : 'refused' };
      }
      if (error instanceof client.ClientError || error instanceof client.ResponseBodyError) {
        this.warn(error, 'studio: the OpenID provider’s answer is refused');
        return { status: 'refused' };
      }
      this.warn(error, 'studio: the OpenID provider cannot be reached');
      return { status: 'unavailable' };
    }
    const subject = String(claims.sub);
    const who = identityOf(claims);
    const details = { via: 'openid', issuer: this.settings.issuer, subject };
    const role = roleOf(this.settings, claims);
    if (!role) {
      await this.studio.audit(who, 'sign-in refused', { ...details, reason: 'no studio role' });
      return { status: 'no-role', who };
    }
    const { id, session } = await this.studio.openSession(who, role, details);
    return { status: 'signed-in', id, session };
  }

  private warn(error: unknown, message: string): void {
    const { name, message: text, code } = error as { name?: string; message?: string; code?: string };
    this.logger.warn({ err: { name, message: text, ...(code ? { code } : {}) } }, message);
  }
}

/** Publisher or editor by the configured claim (Entra ID app roles by default); undefined for neither. */
export function roleOf(
  settings: Pick<OidcSettings, 'roleClaim' | 'editorRole' | 'publisherRole'>,
  claims: Record<string, unknown>,
): Role | undefined {
  const value = claims[settings.roleClaim];
  const values = Array.isArray(value) ? value.map(String) : typeof value === 'string' ? [value] : [];
  if (values.includes(settings.publisherRole)) return 'publisher';
  if (values.includes(settings.editorRole)) return 'editor';
  return undefined;
}

/** Who signed in, for the session and the audit log: the e-mail address, else the user name, else the subject. */
function identityOf(claims: Record<string, unknown>): string {
  for (const claim of ['email', 'preferred_username', 'upn', 'sub'])
    if (typeof claims[claim] === 'string' && claims[claim]) return (claims[claim] as string).toLowerCase();
  return 'unknown';
}
