// An OpenID provider on 127.0.0.1 for the studio's sign-in tests, run as its own process (oidc-provider is an ES
// module): node --import tsx test/support/openIdProvider.mts. It reads the test client and the people it knows from
// OIDC_TEST_SETUP (JSON), and prints {"issuer": "..."} once it listens.
//
// Its sign-in page is a plain form: the name of a known person, "Sign in" (sign-in and consent at once) or "Cancel"
// (access denied), so a test can complete it over HTTP as a browser would.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

interface Setup {
  client: { id: string; secret: string; redirectUri: string };
  /** Per login name: the claims the ID token carries (email, roles, ...). */
  people: Record<string, Record<string, unknown>>;
}

const setup = JSON.parse(process.env.OIDC_TEST_SETUP ?? '{}') as Setup;
const SCOPE = 'openid email profile';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

async function formOf(req: IncomingMessage): Promise<URLSearchParams> {
  let body = '';
  for await (const chunk of req) body += String(chunk);
  return new URLSearchParams(body);
}

const server = createServer();
server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: setup.client.id,
        client_secret: setup.client.secret,
        redirect_uris: [setup.client.redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    // Every claim of the scopes asked for in the ID token, as Entra ID puts app roles there.
    conformIdTokenClaims: false,
    claims: { openid: ['sub', 'roles', 'groups'], email: ['email', 'email_verified'], profile: ['name'] },
    cookies: { keys: ['test-provider-cookie-key-0123456789'] },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(_ctx, id) {
      const claims = setup.people[id];
      if (!claims) return undefined;
      return { accountId: id, claims: async () => ({ sub: id, ...claims }) };
    },
  });

  const interaction = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const details = await provider.interactionDetails(req, res);
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(
        `<!doctype html><html lang="en"><head><title>Test provider</title></head><body>` +
          `<form method="post" action="/interaction/${escapeHtml(details.uid)}">` +
          `<label for="login">Name</label><input id="login" name="login" autofocus>` +
          `<button type="submit" name="action" value="login">Sign in</button>` +
          `<button type="submit" name="action" value="cancel">Cancel</button></form></body></html>`,
      );
      return;
    }
    const form = await formOf(req);
    const login = form.get('login') ?? '';
    if (form.get('action') === 'cancel' || !setup.people[login]) {
      await provider.interactionFinished(req, res, {
        error: 'access_denied',
        error_description: 'End-User aborted interaction',
      });
      return;
    }
    const grant = new provider.Grant({ accountId: login, clientId: String(details.params.client_id) });
    grant.addOIDCScope(SCOPE);
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { login: { accountId: login }, consent: { grantId } });
  };

  const handle = provider.callback();
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.url?.startsWith('/interaction/'))
      interaction(req, res).catch((error: Error) => {
        res.writeHead(400, { 'content-type': 'text/plain' });
        res.end(error.message);
      });
    else handle(req, res);
  });
  process.stdout.write(`${JSON.stringify({ issuer })}\n`);
});
