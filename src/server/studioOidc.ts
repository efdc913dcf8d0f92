import type { Request, Response, Server } from 'restify';
import { clientAddress } from '../directLine/routes';
import type { OidcOutcome } from '../studio/oidc';
import { PENDING_SECONDS } from '../studio/oidc';
import { isSecure, sessionCookie, type StudioRouteOptions } from './studio';
import { cookieOf } from './studioHttp';
import { escapeHtml, pageLanguage } from './webChat';

/** The browser's id of a sign-in under way, sent back only to the callback; Lax so the provider's redirect has it. */
const PENDING_COOKIE = 'studio_oidc';
const PENDING_PATH = '/studio/auth/oidc';
/** The sign-in limit counts started sign-ins per address like failed passwords; a completed one takes its back. */
const LIMIT_ACCOUNT = 'openid';

/** Why a sign-in ended without a session: the HTTP status and the text (web:studio.refused.*) that says so. */
const REFUSALS: Record<Exclude<OidcOutcome['status'], 'signed-in'> | 'tooMany', number> = {
  'no-role': 403,
  denied: 403,
  expired: 400,
  refused: 400,
  unavailable: 502,
  tooMany: 429,
};
const TEXT_OF: Record<keyof typeof REFUSALS, string> = {
  'no-role': 'web:studio.refused.noRole',
  denied: 'web:studio.refused.denied',
  expired: 'web:studio.refused.expired',
  refused: 'web:studio.refused.failed',
  unavailable: 'web:studio.refused.unavailable',
  tooMany: 'web:studio.refused.tooMany',
};

/**
 * Signing in to the studio with an OpenID provider (api/studio.v1.yaml): the button's words, the start that sends
 * the browser to the provider, and the callback that opens the same session a password opens.
 */
export function mountOidcSignIn(server: Server, options: StudioRouteOptions): void {
  const { oidc, translate } = options;

  /** Public: what the sign-in form offers besides the password, in the page's language. */
  server.get('/studio/api/sign-in-options', async (req: Request, res: Response) => {
    const language = pageLanguage(req.query?.lang, req.header('accept-language'));
    res.setHeader('cache-control', 'no-store');
    res.send(200, {
      ...(oidc
        ? {
            oidc: {
              name: oidc.settings.name,
              label: translate(language, 'web:studio.signInWith', { provider: oidc.settings.name }),
              href: `${PENDING_PATH}/login`,
            },
          }
        : {}),
    });
  });
  if (!oidc) return;
  const { name } = oidc.settings;

  /** A short page in the browser's language that says why there is no session, with the way back. */
  const refuse = (req: Request, res: Response, why: keyof typeof REFUSALS, values: Record<string, string> = {}) => {
    const language = pageLanguage(req.query?.lang, req.header('accept-language'));
    const text = (key: string) => escapeHtml(translate(language, key, { provider: name, ...values }));
    const title = text('web:studio.refused.title');
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.setHeader('cache-control', 'no-store');
    res.setHeader(
      'content-security-policy',
      "default-src 'none'; style-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    );
    res.setHeader('referrer-policy', 'no-referrer');
    res.setHeader('x-content-type-options', 'nosniff');
    res.writeHead(REFUSALS[why]);
    res.end(
      `<!doctype html>\n<html lang="${language}">\n<head>\n<meta charset="utf-8" />\n` +
        `<meta name="viewport" content="width=device-width, initial-scale=1" />\n<title>${title}</title>\n` +
        `<link rel="stylesheet" href="/studio/assets/studio.css" />\n</head>\n<body>\n` +
        `<main class="refusal" data-refusal="${why}">\n<h1>${title}</h1>\n<p>${text(TEXT_OF[why])}</p>\n` +
        `<p><a href="/studio">${text('web:studio.refused.back')}</a></p>\n</main>\n</body>\n</html>\n`,
    );
  };
  const pendingCookie = (req: Request, value: string, seconds: number) =>
    `${PENDING_COOKIE}=${value}; Path=${PENDING_PATH}; HttpOnly; SameSite=Lax; Max-Age=${seconds}` +
    (isSecure(req) ? '; Secure' : '');
  const redirect = (res: Response, location: string) => {
    res.setHeader('cache-control', 'no-store');
    res.setHeader('location', location);
    res.writeHead(303);
    res.end();
  };

  server.get(`${PENDING_PATH}/login`, async (req: Request, res: Response) => {
    const address = clientAddress(req, options.trustProxy);
    const wait = await options.signInLimit.attempt(address, LIMIT_ACCOUNT);
    if (wait !== undefined) {
      res.header('retry-after', String(wait));
      return refuse(req, res, 'tooMany');
    }
    const started = await oidc.start();
    if ('status' in started) return refuse(req, res, started.status);
    res.setHeader('set-cookie', pendingCookie(req, started.pendingId, PENDING_SECONDS));
    redirect(res, started.url);
  });

  server.get(`${PENDING_PATH}/callback`, async (req: Request, res: Response) => {
    const query = req.getQuery();
    const outcome = await oidc.finish(cookieOf(req, PENDING_COOKIE), typeof query === 'string' ? query : '');
    if (outcome.status !== 'signed-in') {
      res.setHeader('set-cookie', pendingCookie(req, '', 0));
      return refuse(req, res, outcome.status, outcome.status === 'no-role' ? { account: outcome.who } : {});
    }
    await options.signInLimit.succeeded(clientAddress(req, options.trustProxy), LIMIT_ACCOUNT);
    res.setHeader('set-cookie', [pendingCookie(req, '', 0), sessionCookie(req, outcome.id)]);
    redirect(res, '/studio');
  });
}
