import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Request, Response, Server } from 'restify';
import { PROJECT_ROOT } from '../config';
import { LANGUAGES, type Language } from '../dialog/languages';
import { resolveLanguage } from '../conversation/language';
import { EMBED_KEYS, WEB_KEYS } from '../dialog/systemKeys';
import type { Logger } from '../logger';
import { TokenServiceError, type WebChatTokenSource } from '../directLine/webChatTokens';
import type { RateLimiter } from '../state/rateLimit';
import { DIRECT_LINE_PATH } from '../directLine/routes';

export interface WebChatOptions {
  tokens: WebChatTokenSource;
  limiter: RateLimiter;
  /** The current content's texts, per language: `t(language, 'web:title')`. */
  translate: (language: Language, key: string) => string;
  logger: Logger;
  /** Sites allowed to show the page in an iframe (CSP frame-ancestors). */
  frameAncestors: string;
  /** Take the client address from X-Forwarded-For (behind a trusted load balancer). */
  trustProxy: boolean;
}

interface Asset {
  body: Buffer;
  gzipped: Buffer;
  type: string;
  etag: string;
}

function asset(file: string, type: string): Asset {
  const body = readFileSync(file);
  return { body, gzipped: gzipSync(body), type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` };
}

/** Sends a static file once per version: ETag revalidation, gzip when the browser takes it. */
function serve(load: () => Asset) {
  let cached: Asset | undefined;
  return async (req: Request, res: Response) => {
    cached ??= load();
    res.setHeader('content-type', cached.type);
    res.setHeader('etag', cached.etag);
    res.setHeader('cache-control', 'public, max-age=3600, must-revalidate');
    res.setHeader('vary', 'accept-encoding');
    if (req.header('if-none-match') === cached.etag) {
      res.writeHead(304);
      res.end();
      return;
    }
    const gzip = /\bgzip\b/.test(req.header('accept-encoding') ?? '');
    if (gzip) res.setHeader('content-encoding', 'gzip');
    res.writeHead(200);
    res.end(gzip ? cached.gzipped : cached.body);
  };
}

/** ?lang= first, then the browser's Accept-Language in its order of preference, then English. */
export function pageLanguage(query: unknown, acceptLanguage: string | undefined): Language {
  const accepted = (acceptLanguage ?? '')
    .split(',')
    .map((part, index) => {
      const [tag, ...params] = part.trim().split(';');
      const q = Number(params.find((param) => param.trim().startsWith('q='))?.trim().slice(2) ?? 1);
      return { tag, q: Number.isFinite(q) ? q : 0, index };
    })
    .filter((entry) => entry.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index)
    .map((entry) => entry.tag);
  // The page has no user yet, so no saved choice: only the locales count.
  return resolveLanguage({ locale: [typeof query === 'string' ? query : undefined, ...accepted] }).language;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** JSON inside <script type="application/json">: no way to close the element early. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

/** The page at `/`, the Web Chat bundle and the page's own script and styles, and the token endpoint. */
export function mountWebChat(server: Server, options: WebChatOptions): void {
  // The package's exports map hides dist/; its published browser bundle sits beside lib/.
  const bundlePath = () => path.join(path.dirname(require.resolve('botframework-webchat')), '..', 'dist', 'webchat.js');
  const webChatBundle = serve(() => asset(bundlePath(), 'text/javascript; charset=utf-8'));
  const pageScript = serve(() => asset(path.join(PROJECT_ROOT, 'web', 'chat.js'), 'text/javascript; charset=utf-8'));
  const pageStyles = serve(() => asset(path.join(PROJECT_ROOT, 'web', 'chat.css'), 'text/css; charset=utf-8'));
  // The launcher for other sites, with its two texts in every language.
  let embedScript: string | undefined;
  server.get('/webchat/embed.js', async (_req: Request, res: Response) => {
    embedScript ??= readFileSync(path.join(PROJECT_ROOT, 'web', 'embed.js'), 'utf8');
    const texts = Object.fromEntries(LANGUAGES.map((each) => [each, Object.fromEntries(EMBED_KEYS.map((key) => [key, options.translate(each, `web:${key}`)]))]));
    res.setHeader('content-type', 'text/javascript; charset=utf-8');
    res.setHeader('cache-control', 'public, max-age=300');
    res.setHeader('x-content-type-options', 'nosniff');
    res.writeHead(200);
    res.end(embedScript.replace('__TEXTS__', () => scriptJson(texts)));
  });
  server.get('/webchat/webchat.js', webChatBundle);
  server.get('/webchat/chat.js', pageScript);
  server.get('/webchat/chat.css', pageStyles);

  server.get('/', async (req: Request, res: Response) => {
    const language = pageLanguage(req.query?.lang, req.header('accept-language'));
    const texts = Object.fromEntries(LANGUAGES.map((each) => [each, Object.fromEntries(WEB_KEYS.map((key) => [key, options.translate(each, `web:${key}`)]))]));
    const t = (key: (typeof WEB_KEYS)[number]) => escapeHtml(texts[language]![key]!);
    const nonce = randomBytes(16).toString('base64');
    const domain = options.tokens.domain;
    // 'self' covers the page's own WebSocket stream too.
    const connect = domain === 'local' ? "'self'" : `'self' ${new URL(domain).origin} ${new URL(domain).origin.replace(/^http/, 'ws')}`;
    res.setHeader(
      'content-security-policy',
      [
        "default-src 'self'",
        `script-src 'self' 'nonce-${nonce}'`,
        // Web Chat styles itself with inline <style> elements.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        `connect-src ${connect}`,
        `frame-ancestors ${options.frameAncestors}`,
        "base-uri 'none'",
        "form-action 'none'",
      ].join('; '),
    );
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.setHeader('cache-control', 'no-store');
    res.setHeader('referrer-policy', 'no-referrer');
    res.setHeader('x-content-type-options', 'nosniff');
    const config = { language, texts, tokenUrl: '/api/directline/token', domain, localPath: DIRECT_LINE_PATH };
    const choices = LANGUAGES.map(
      (each) => `<option value="${each}" lang="${each}"${each === language ? ' selected' : ''}>${escapeHtml(options.translate(each, 'common:language.name'))}</option>`,
    ).join('');
    res.writeHead(200);
    res.end(`<!doctype html>
<html lang="${language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${t('title')}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/webchat/chat.css">
</head>
<body>
<main class="widget">
<header>
<div><h1 data-text="heading">${t('heading')}</h1><p data-text="subtitle">${t('subtitle')}</p></div>
<label><span data-text="language">${t('language')}</span><select id="chat-language">${choices}</select></label>
</header>
<div id="chat-status" role="status"><span data-text="connecting">${t('connecting')}</span><br><button type="button" hidden data-text="retry">${t('retry')}</button></div>
<div id="webchat" role="region" data-label="chatLabel" aria-label="${t('chatLabel')}"></div>
</main>
<script type="application/json" id="chat-config">${scriptJson(config)}</script>
<script src="/webchat/webchat.js" nonce="${nonce}"></script>
<script src="/webchat/chat.js" nonce="${nonce}"></script>
</body>
</html>
`);
  });

  server.post('/api/directline/token', async (req: Request, res: Response) => {
    // The balancer appends the address it saw; anything left of it the client may have written itself.
    const forwarded = options.trustProxy ? req.header('x-forwarded-for')?.split(',').at(-1)?.trim() : undefined;
    const client = forwarded || req.socket.remoteAddress || 'unknown';
    const decision = await options.limiter.take(client).catch(() => ({ allowed: true, retryAfterSeconds: 0 }));
    if (!decision.allowed) {
      res.header('retry-after', String(decision.retryAfterSeconds));
      res.send(429, { error: 'rate_limited', message: `Too many chat sessions from this address; try again in ${decision.retryAfterSeconds} seconds.` });
      return;
    }
    try {
      res.setHeader('cache-control', 'no-store');
      res.send(200, await options.tokens.issue());
    } catch (error) {
      if (!(error instanceof TokenServiceError)) throw error;
      options.logger.error({ err: { name: error.name, message: error.message } }, 'web chat token not issued');
      res.send(502, { error: 'direct_line_unavailable', message: 'The chat service is not available right now; try again in a moment.' });
    }
  });
}
