import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Request, Response, Server } from 'restify';
import { PROJECT_ROOT } from '../config';
import { LANGUAGES, LOCALES, type Language } from '../dialog/languages';
import { resolveLanguage } from '../conversation/language';
import { EMBED_KEYS, WEB_KEYS } from '../dialog/systemKeys';
import type { Logger } from '../logger';
import { TokenServiceError, type WebChatTokenSource } from '../directLine/webChatTokens';
import type { RateLimiter } from '../state/rateLimit';
import { clientAddress, DIRECT_LINE_PATH } from '../directLine/routes';
import { UNAVAILABLE_RETRY_SECONDS } from '../directLine/localDirectLine';
import { brotliOf, digestOf, keptBrotli } from './compressedFiles';

export interface WebChatOptions {
  tokens: WebChatTokenSource;
  limiter: RateLimiter;
  /** The current content's texts, per language: `translate('fr', 'web:title')`. */
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
  /**
   * The one `npm run build` kept; else made in the background on first use (the best brotli takes seconds for Web
   * Chat's bundle), gzip until then.
   */
  brotli?: Buffer;
  type: string;
  etag: string;
  /** The start of the content's hash, put in the file's address so it can be cached for good. */
  hash: string;
}

/** Brotli of each file content made so far in this process, by its hash: every server in it shares them. */
const brotliMade = new Map<string, Promise<Buffer | undefined>>();

function asset(file: string, type: string): Asset {
  const body = readFileSync(file);
  const digest = digestOf(body);
  const made: Asset = { body, gzipped: gzipSync(body, { level: 9 }), type, etag: `"${digest.slice(0, 22)}"`, hash: '' };
  made.hash = digest.slice(0, 12).replace(/[-_]/g, '0');
  // The one `npm run build` made, else made here in the background, once per content in the process.
  made.brotli = keptBrotli(body, digest);
  if (made.brotli) return made;
  if (!brotliMade.has(digest)) brotliMade.set(digest, brotliOf(body));
  void brotliMade.get(digest)!.then((compressed) => {
    if (compressed) made.brotli = compressed;
  });
  return made;
}

/** The page's files: each loaded (and compressed) once, on first use. */
function assets(files: Record<string, { file: () => string; type: string }>) {
  const loaded = new Map<string, Asset>();
  return {
    names: Object.keys(files),
    get(name: string): Asset | undefined {
      const source = files[name];
      if (!source) return undefined;
      let found = loaded.get(name);
      if (!found) loaded.set(name, (found = asset(source.file(), source.type)));
      return found;
    },
  };
}

/** A file's address with its content's hash: `/webchat/chat.3fA9x0k2LmQ1.js`. */
function hashedName(name: string, hash: string): string {
  const dot = name.lastIndexOf('.');
  return `${name.slice(0, dot)}.${hash}${name.slice(dot)}`;
}

/**
 * Sends a static file: under its hashed address cached for a year (a new version has a new address), under its
 * plain one revalidated by ETag; brotli or gzip when the browser takes it.
 */
function send(req: Request, res: Response, file: Asset, immutable: boolean): void {
  res.setHeader('content-type', file.type);
  res.setHeader('etag', file.etag);
  res.setHeader(
    'cache-control',
    immutable ? 'public, max-age=31536000, immutable' : 'public, max-age=3600, must-revalidate',
  );
  res.setHeader('vary', 'accept-encoding');
  if (req.header('if-none-match') === file.etag) {
    res.writeHead(304);
    res.end();
    return;
  }
  const accepted = req.header('accept-encoding') ?? '';
  const encoding = file.brotli && /\bbr\b/.test(accepted) ? 'br' : /\bgzip\b/.test(accepted) ? 'gzip' : undefined;
  if (encoding) res.setHeader('content-encoding', encoding);
  res.writeHead(200);
  res.end(encoding === 'br' ? file.brotli : encoding === 'gzip' ? file.gzipped : file.body);
}

/** Whether a CSP frame-ancestors list lets this origin frame the page: 'self', *, an origin, https://*.example.org. */
function frameAllowed(ancestors: string, origin: string, ownHost: string): boolean {
  const { host, protocol } = new URL(origin);
  return ancestors.split(/\s+/).some((source) => {
    if (source === '*') return true;
    if (source === "'self'") return host === ownHost;
    if (source.startsWith(`${protocol}//*.`)) return host.endsWith(source.slice(protocol.length + 3));
    return source.replace(/\/+$/, '') === origin;
  });
}

/** ?lang= first, then the browser's Accept-Language in its order of preference, then English. */
export function pageLanguage(query: unknown, acceptLanguage: string | undefined): Language {
  const accepted = (acceptLanguage ?? '')
    .split(',')
    .map((part, index) => {
      const [tag, ...params] = part.trim().split(';');
      const q = Number(
        params
          .find((param) => param.trim().startsWith('q='))
          ?.trim()
          .slice(2) ?? 1,
      );
      return { tag, q: Number.isFinite(q) ? q : 0, index };
    })
    .filter((entry) => entry.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index)
    .map((entry) => entry.tag);
  // The page has no user yet, so no saved choice: only the locales count.
  return resolveLanguage({ locale: [typeof query === 'string' ? query : undefined, ...accepted] }).language;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** JSON inside <script type="application/json">: no way to close the element early. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

/** Markup already safe where it goes, inserted into the page as it is. */
interface Markup {
  html: string;
}

/** The page template with each {{name}} filled in: text HTML-escaped, Markup as it is. */
function fillPage(template: string, values: Record<string, string | Markup>): string {
  return template.replace(/\{\{([\w.]+)\}\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`The chat page template has {{${name}}}, which nothing fills in`);
    return typeof value === 'string' ? escapeHtml(value) : value.html;
  });
}

/** The page's static files: Web Chat's bundle and the page's own script and styles. */
export function webChatFiles(): Record<string, { file: () => string; type: string }> {
  // The package's exports map hides dist/; its published browser bundles sit beside lib/. The minimal one (half
  // the size) has everything the page uses but markdown, which web/markdown.js gives it.
  const bundlePath = () =>
    path.join(path.dirname(require.resolve('botframework-webchat')), '..', 'dist', 'webchat-minimal.js');
  const script = 'text/javascript; charset=utf-8';
  return {
    'webchat.js': { file: bundlePath, type: script },
    'markdown.js': { file: () => path.join(PROJECT_ROOT, 'web', 'markdown.js'), type: script },
    'directLine.js': { file: () => path.join(PROJECT_ROOT, 'web', 'directLine.js'), type: script },
    'chat.js': { file: () => path.join(PROJECT_ROOT, 'web', 'chat.js'), type: script },
    'chat.css': { file: () => path.join(PROJECT_ROOT, 'web', 'chat.css'), type: 'text/css; charset=utf-8' },
  };
}

/** The page at `/`, its script and styles, the Web Chat bundle, the launcher for other sites, the token endpoint. */
export function mountWebChat(server: Server, options: WebChatOptions): void {
  const files = assets(webChatFiles());
  const addressOf = (name: string) => `/webchat/${hashedName(name, files.get(name)!.hash)}`;
  const pageTemplate = readFileSync(path.join(PROJECT_ROOT, 'web', 'chat.html'), 'utf8');
  // The launcher for other sites, with its two texts in every language.
  let embedScript: string | undefined;
  server.get('/webchat/embed.js', async (_req: Request, res: Response) => {
    embedScript ??= readFileSync(path.join(PROJECT_ROOT, 'web', 'embed.js'), 'utf8');
    const texts = Object.fromEntries(
      LANGUAGES.map((each) => [
        each,
        Object.fromEntries(EMBED_KEYS.map((key) => [key, options.translate(each, `web:${key}`)])),
      ]),
    );
    res.setHeader('content-type', 'text/javascript; charset=utf-8');
    res.setHeader('cache-control', 'public, max-age=300');
    res.setHeader('x-content-type-options', 'nosniff');
    res.writeHead(200);
    res.end(embedScript.replace('__TEXTS__', () => scriptJson(texts)));
  });
  const pageFile = async (req: Request, res: Response) => {
    const requested = String(req.params.file);
    const plain = files.get(requested);
    if (plain) return send(req, res, plain, false);
    // name.<hash>.ext: only the current version's hash; an old page asking for an old one gets 404.
    const match = /^(.+)\.([\w]{12})(\.\w+)$/.exec(requested);
    const file = match ? files.get(`${match[1]}${match[3]}`) : undefined;
    if (!file || file.hash !== match![2]) {
      res.send(404, { error: 'not_found', message: 'No such file of the chat page (or an older version of it).' });
      return;
    }
    send(req, res, file, true);
  };
  server.get('/webchat/:file', pageFile);
  server.head('/webchat/:file', pageFile);

  // A browser shows an empty frame when the site framing the page is not allowed, and says why only in its console:
  // the bot says it in its log, once per site.
  const framersWarned = new Set<string>();
  const warnIfFramedElsewhere = (req: Request) => {
    if (req.header('sec-fetch-dest') !== 'iframe') return;
    const framer = URL.canParse(req.header('referer') ?? '') ? new URL(req.header('referer')!).origin : undefined;
    if (!framer || framersWarned.has(framer) || framersWarned.size >= 100) return;
    if (frameAllowed(options.frameAncestors, framer, req.header('host') ?? '')) return;
    framersWarned.add(framer);
    options.logger.warn(
      { origin: framer, frameAncestors: options.frameAncestors },
      `the chat page is shown in a frame on ${framer}, which WEB_CHAT_FRAME_ANCESTORS does not allow: ` +
        'the browser shows an empty frame there (add the site to WEB_CHAT_FRAME_ANCESTORS, space-separated)',
    );
  };
  const page = async (req: Request, res: Response) => {
    warnIfFramedElsewhere(req);
    const language = pageLanguage(req.query?.lang, req.header('accept-language'));
    const texts = Object.fromEntries(
      LANGUAGES.map((each) => [
        each,
        Object.fromEntries(WEB_KEYS.map((key) => [key, options.translate(each, `web:${key}`)])),
      ]),
    );
    const nonce = randomBytes(16).toString('base64');
    const domain = options.tokens.domain;
    // 'self' covers the page's own WebSocket stream too.
    const connect =
      domain === 'local'
        ? "'self'"
        : `'self' ${new URL(domain).origin} ${new URL(domain).origin.replace(/^http/, 'ws')}`;
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
    const config = {
      language,
      texts,
      locales: LOCALES,
      tokenUrl: '/api/directline/token',
      domain,
      localPath: DIRECT_LINE_PATH,
    };
    const choices = LANGUAGES.map(
      (each) =>
        `<option value="${each}" lang="${each}"${each === language ? ' selected' : ''}>` +
        `${escapeHtml(options.translate(each, 'common:language.name'))}</option>`,
    ).join('');
    res.writeHead(200);
    res.end(
      fillPage(pageTemplate, {
        language,
        nonce,
        ...Object.fromEntries(WEB_KEYS.map((key) => [`text.${key}`, texts[language]![key]!])),
        languageChoices: { html: choices },
        ...Object.fromEntries(files.names.map((name) => [`asset.${name}`, addressOf(name)])),
        config: { html: scriptJson(config) },
      }),
    );
  };
  server.get('/', page);
  // Uptime monitors ask with HEAD: the same answer, without the body.
  server.head('/', page);

  server.post('/api/directline/token', async (req: Request, res: Response) => {
    // The balancer appends the address it saw; anything left of it the client may have written itself.
    const client = clientAddress(req, options.trustProxy);
    // The count lives where the conversations do: when it cannot be reached, a token would not work either.
    const decision = await options.limiter.take(client).catch(() => undefined);
    if (!decision) {
      res.header('retry-after', String(UNAVAILABLE_RETRY_SECONDS));
      res.send(503, {
        error: 'chat_unavailable',
        message: 'The chat storage (Redis) cannot be reached right now; try again in a few seconds.',
      });
      return;
    }
    if (!decision.allowed) {
      res.header('retry-after', String(decision.retryAfterSeconds));
      res.send(429, {
        error: 'rate_limited',
        message: `Too many chat sessions from this address; try again in ${decision.retryAfterSeconds} seconds.`,
      });
      return;
    }
    try {
      res.setHeader('cache-control', 'no-store');
      res.send(200, await options.tokens.issue());
    } catch (error) {
      if (!(error instanceof TokenServiceError)) throw error;
      options.logger.error({ err: { name: error.name, message: error.message } }, 'web chat token not issued');
      res.send(502, {
        error: 'direct_line_unavailable',
        message: 'The chat service is not available right now; try again in a moment.',
      });
    }
  });
}
