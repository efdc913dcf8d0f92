import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Next, Request, Response, Server } from 'restify';
import { PROJECT_ROOT } from '../config';
import { isFormNode } from '../content/dialogSchema';
import { usedKeys } from '../content/loadContent';
import { dialogGraph, layOut } from '../content/picture';
import { LANGUAGES, type Language } from '../dialog/languages';
import { STUDIO_PAGE_KEYS, STUDIO_PAGE_PREFIX } from '../dialog/systemKeys';
import { said } from '../dialog/studioWords';
import { clientAddress } from '../directLine/routes';
import { readJsonBody } from '../http/jsonBody';
import type { Logger } from '../logger';
import type { Insights } from '../insights/insights';
import { MAX_DAYS } from '../insights/insights';
import type { OidcSignIn } from '../studio/oidc';
import type { SignInLimit } from '../studio/open';
import { SESSION_SECONDS, type Studio, type VersionInfo } from '../studio/studio';
import { isLanguage, type TextRef } from '../studio/texts';
import { mountPreviewChannel, PreviewChannel, type PreviewDirectLine } from './studioPreview';
import { cookieOf, SESSION_COOKIE, StudioWords, type Guarded, type Handler, type Translate } from './studioHttp';
import { mountStructure } from './studioStructure';
import { versionDiff } from '../studio/versionDiff';
import { problemSaying } from '../studio/checks';
import { pageLanguage } from './webChat';

export interface StudioRouteOptions {
  studio: Studio;
  logger: Logger;
  /** Failed sign-ins per client address and per account. */
  signInLimit: SignInLimit;
  trustProxy: boolean;
  /** What leads see of how the bot does (absent with INSIGHTS=off). */
  insights?: Insights;
  /** Signing in with an OpenID provider, beside the local accounts (absent unless STUDIO_OIDC_ variables are set). */
  oidc?: OidcSignIn;
  /** Where the preview's Direct Line conversations live and what signs their tokens (Redis when configured). */
  preview?: PreviewDirectLine;
  /** The current content's texts: the studio's answers, and the pages it shows outside its own (sign-in refused). */
  translate: Translate;
}

const BODY_LIMIT = 256 * 1024;
/** The longest message the "try a message" box sends. */
const MAX_TRY = 2000;
const STATIC: Record<string, string> = {
  'studio.js': 'text/javascript; charset=utf-8',
  'insights.js': 'text/javascript; charset=utf-8',
  'structure.js': 'text/javascript; charset=utf-8',
  'picture.js': 'text/javascript; charset=utf-8',
  'studio.css': 'text/css; charset=utf-8',
  'chart.umd.min.js': 'text/javascript; charset=utf-8',
};
/** Files served from an installed package rather than web/studio/: the chart library, kept local (no CDN). */
const FROM_PACKAGES: Record<string, string> = {
  'chart.umd.min.js': path.join(path.dirname(require.resolve('chart.js')), 'chart.umd.min.js'),
};

/** The session cookie for the studio's pages and API: HttpOnly, SameSite=Strict, Secure behind TLS. */
export function sessionCookie(req: Request, id: string): string {
  const secure = isSecure(req) ? '; Secure' : '';
  return `${SESSION_COOKIE}=${id}; Path=/studio; HttpOnly; SameSite=Strict; Max-Age=${SESSION_SECONDS}${secure}`;
}

/** Secure when the browser reached the bot over TLS, directly or through a proxy that says so. */
export function isSecure(req: Request): boolean {
  return req.isSecure() || req.header('x-forwarded-proto')?.split(',')[0]?.trim() === 'https';
}

function textRef(req: Request): TextRef | undefined {
  const language = String(req.params?.language ?? '');
  const key = decodeURIComponent(String(req.params?.key ?? ''));
  return isLanguage(language) && key ? { language, key } : undefined;
}

/** The studio's page and its JSON API (api/studio.v1.yaml). */
export function mountStudio(server: Server, options: StudioRouteOptions): void {
  const { studio } = options;
  const folder = path.join(PROJECT_ROOT, 'web', 'studio');
  const words = new StudioWords(options.translate);
  const fail = words.fail.bind(words);
  const languages = LANGUAGES.join(', ');

  server.get('/studio', (_req: Request, res: Response, next: Next) => {
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.setHeader('cache-control', 'no-store');
    res.setHeader(
      'content-security-policy',
      // Web Chat (the preview pane) styles itself with inline <style> elements; its stream is on this origin.
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
        "connect-src 'self'; " +
        "frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    );
    res.setHeader('referrer-policy', 'no-referrer');
    res.setHeader('x-content-type-options', 'nosniff');
    res.writeHead(200);
    res.end(readFileSync(path.join(folder, 'index.html')));
    return next(false);
  });
  server.get('/studio/assets/:file', (req: Request, res: Response, next: Next) => {
    const file = String(req.params?.file ?? '');
    const type = STATIC[file];
    if (!type) {
      fail(req, res, 404, 'not_found', said('error.noFile'));
      return next(false);
    }
    res.setHeader('content-type', type);
    res.setHeader('cache-control', 'no-cache');
    res.setHeader('x-content-type-options', 'nosniff');
    res.writeHead(200);
    res.end(readFileSync(FROM_PACKAGES[file] ?? path.join(folder, file)));
    return next(false);
  });

  /** Public, like the sign-in options: the page's own words in one language, before anyone signs in. */
  server.get('/studio/api/page-texts', (req: Request, res: Response, next: Next) => {
    const language = pageLanguage(req.query?.lang, req.header('accept-language'));
    res.setHeader('cache-control', 'no-store');
    res.send(200, pageTexts(language, options.translate));
    return next(false);
  });

  /** A route for signed-in people; state-changing ones need the CSRF token, publishing ones the publisher role. */
  const guarded: Guarded =
    (handler, need = {}) =>
    async (req: Request, res: Response) => {
      const sessionId = cookieOf(req);
      const session = sessionId ? await studio.session(sessionId) : undefined;
      if (!sessionId || !session) return fail(req, res, 401, 'unauthorized', said('error.signInFirst'));
      if (need.csrf && req.header('x-csrf-token') !== session.csrfToken)
        return fail(req, res, 403, 'csrf', said('error.csrf'));
      if (need.publisher && session.role !== 'publisher')
        return fail(req, res, 403, 'forbidden', said('error.publishersOnly'));
      res.setHeader('cache-control', 'no-store');
      try {
        await handler(req, res, session, sessionId);
      } catch (error) {
        options.logger.error({ err: { name: (error as Error).name, message: (error as Error).message } }, 'studio');
        fail(req, res, 500, 'studio_error', said('error.failed'));
      }
    };

  const body = (req: Request): Record<string, unknown> =>
    req.body && typeof req.body === 'object' && !Array.isArray(req.body) ? (req.body as Record<string, unknown>) : {};

  server.post('/studio/api/session', readJsonBody(16 * 1024), async (req: Request, res: Response) => {
    const { email, password } = body(req);
    if (typeof email !== 'string' || typeof password !== 'string' || !email || !password)
      return fail(req, res, 400, 'bad_request', said('error.sendCredentials'));
    const address = clientAddress(req, options.trustProxy);
    const wait = await options.signInLimit.attempt(address, email);
    if (wait !== undefined) {
      res.header('retry-after', String(wait));
      return fail(req, res, 429, 'rate_limited', said('error.tooManySignIns', { count: Math.ceil(wait / 60) }));
    }
    const signedIn = await studio.signIn(email, password);
    if (!signedIn) return fail(req, res, 401, 'wrong_credentials', said('error.wrongCredentials'));
    await options.signInLimit.succeeded(address, email);
    res.setHeader('set-cookie', sessionCookie(req, signedIn.id));
    res.setHeader('cache-control', 'no-store');
    res.send(200, {
      csrfToken: signedIn.session.csrfToken,
      email: signedIn.session.email,
      role: signedIn.session.role,
    });
  });

  server.get(
    '/studio/api/session',
    guarded(async (_req, res, session) => {
      res.send(200, { csrfToken: session.csrfToken, email: session.email, role: session.role });
    }),
  );

  server.del(
    '/studio/api/session',
    guarded(
      async (_req, res, session, sessionId) => {
        await studio.signOut(sessionId);
        await studio.audit(session.email, 'sign-out', {});
        res.setHeader('set-cookie', `${SESSION_COOKIE}=; Path=/studio; HttpOnly; SameSite=Strict; Max-Age=0`);
        res.send(204);
      },
      { csrf: true },
    ),
  );

  /** The dialog's steps with the texts each uses, for the tree and the five columns. */
  server.get(
    '/studio/api/dialog',
    guarded(async (req, res) => {
      const { content, problems } = await studio.draftContent();
      if (!content)
        return fail(req, res, 422, 'draft_invalid', said('error.draftInvalid'), {
          problems,
        });
      const keys = usedKeys(content.dialog);
      const steps = Object.entries(content.dialog.nodes).map(([id, node]) => ({
        id,
        kind: isFormNode(node) ? 'form' : 'message',
        texts: keys
          .filter((use) => use.where[0] === 'nodes' && use.where[1] === id)
          .map((use) => ({ key: use.key, field: use.where.slice(2).join('.') })),
        next: isFormNode(node)
          ? Object.entries(node.outcomes).map(([outcome, goto]) => ({ label: outcome, goto }))
          : node.choices.map((choice) => ({ label: choice.label, goto: choice.goto })),
      }));
      res.send(200, {
        start: content.dialog.start,
        languages: LANGUAGES,
        version: studio.version,
        steps,
        // What the inbox can teach a message to, and where "off-topic" goes.
        topics: await studio.topicsOf('en'),
        ...(content.dialog.offTopic ? { offTopic: content.dialog.offTopic } : {}),
      });
    }),
  );

  /** The draft's dialog laid out as a picture: a box per step, an arrow per button or outcome (`?lang=de`). */
  server.get(
    '/studio/api/picture',
    guarded(async (req, res) => {
      const language = String((req.query as Record<string, unknown>)?.lang ?? 'en');
      if (!isLanguage(language)) return fail(req, res, 400, 'bad_request', said('error.language', { languages }));
      const { content, problems } = await studio.draftContent();
      if (!content)
        return fail(req, res, 422, 'draft_invalid', said('error.draftInvalid'), {
          problems,
        });
      res.send(200, { start: content.dialog.start, language, ...layOut(dialogGraph(content, language)) });
    }),
  );

  /** Several texts at once, in every language: `?keys=a,b`. */
  server.get(
    '/studio/api/texts',
    guarded(async (req, res) => {
      const keys = String((req.query as Record<string, unknown>)?.keys ?? '')
        .split(',')
        .filter(Boolean)
        .slice(0, 200);
      const texts: Record<string, Record<string, { text: string; etag: string } | undefined>> = {};
      for (const key of keys) {
        texts[key] = {};
        for (const language of LANGUAGES) texts[key][language] = await studio.getText({ language, key });
      }
      res.send(200, { texts });
    }),
  );

  server.get(
    '/studio/api/texts/:language/:key',
    guarded(async (req, res) => {
      const ref = textRef(req);
      if (!ref) return fail(req, res, 404, 'not_found', said('error.language', { languages }));
      const found = await studio.getText(ref);
      if (!found) return fail(req, res, 404, 'not_found', said('error.noText', { key: ref.key }));
      res.setHeader('etag', `"${found.etag}"`);
      res.send(200, found);
    }),
  );

  server.put(
    '/studio/api/texts/:language/:key',
    readJsonBody(BODY_LIMIT),
    guarded(
      async (req, res, session) => {
        const ref = textRef(req);
        if (!ref) return fail(req, res, 404, 'not_found', said('error.language', { languages }));
        const { text } = body(req);
        if (typeof text !== 'string') return fail(req, res, 400, 'bad_request', said('error.sendText'));
        const ifMatch = req.header('if-match')?.replace(/^W\//, '').replace(/"/g, '');
        if (!ifMatch) return fail(req, res, 428, 'precondition_required', said('error.sendEtag'));
        const result = await studio.putText(ref, text, ifMatch, session.email);
        if (result.status === 'unknown')
          return fail(req, res, 404, 'not_found', said('error.noText', { key: ref.key }));
        if (result.status === 'conflict')
          return fail(req, res, 409, 'conflict', said('error.conflict'), {
            current: result.current,
            yours: result.yours,
          });
        if (result.status === 'invalid')
          return fail(req, res, 422, 'invalid_text', said('error.invalidText'), { problems: result.problems });
        res.setHeader('etag', `"${result.etag}"`);
        res.send(200, { etag: result.etag });
      },
      { csrf: true },
    ),
  );

  /** What saving the text would bring up, without saving it (the page asks as you type). */
  server.post(
    '/studio/api/texts/:language/:key/check',
    readJsonBody(BODY_LIMIT),
    guarded(
      async (req, res) => {
        const ref = textRef(req);
        const { text } = body(req);
        if (!ref || typeof text !== 'string') return fail(req, res, 400, 'bad_request', said('error.sendText'));
        res.send(200, { problems: words.problems(req, await studio.checkText(ref, text)) });
      },
      { csrf: true },
    ),
  );

  server.post(
    '/studio/api/publish',
    readJsonBody(16 * 1024),
    guarded(
      async (req, res, session) => {
        const message = body(req).message;
        if (typeof message !== 'string' || !message.trim())
          return fail(req, res, 422, 'invalid_publish', said('error.publishNeedsMessage'), {
            problems: [problemSaying('message', 'problem.publishMessage')],
          });
        const result = await studio.publish(message.trim(), session.email);
        if (result.status === 'invalid')
          return fail(req, res, 422, 'invalid_publish', said('error.notPublishable'), { problems: result.problems });
        res.send(201, { version: result.version });
      },
      { csrf: true, publisher: true },
    ),
  );

  /** A version as the history shows it: one the studio made itself is named in the reader's language. */
  const versionNamed = (req: Request, { says, ...info }: VersionInfo): Omit<VersionInfo, 'says'> =>
    says ? { ...info, message: words.say(req, says) } : info;

  server.get(
    '/studio/api/versions',
    guarded(async (req, res) => {
      res.send(
        200,
        (await studio.versions()).map((info) => versionNamed(req, info)),
      );
    }),
  );

  /** What a version changed: against the version before it, or `?against=` another one. */
  server.get(
    '/studio/api/versions/:version/diff',
    guarded(async (req, res) => {
      const version = Number(req.params?.version);
      const against = (req.query as Record<string, unknown> | undefined)?.against;
      const other = against === undefined ? undefined : Number(against);
      if (other !== undefined && !(Number.isInteger(other) && other > 0))
        return fail(req, res, 400, 'bad_request', said('error.badAgainst'));
      const diff = Number.isInteger(version)
        ? await versionDiff(studio, version, other, (what) => words.say(req, what))
        : undefined;
      if (!diff)
        return fail(
          req,
          res,
          404,
          'not_found',
          other === undefined
            ? said('error.noVersion', { version: String(req.params?.version) })
            : said('error.noVersions', { version: String(req.params?.version), other }),
        );
      res.send(200, { ...diff, version: versionNamed(req, diff.version) });
    }),
  );

  server.post(
    '/studio/api/versions/:version/restore',
    guarded(
      async (req, res, session) => {
        const version = Number(req.params?.version);
        const result = Number.isInteger(version) ? await studio.restore(version, session.email) : undefined;
        if (!result)
          return fail(req, res, 404, 'not_found', said('error.noVersion', { version: String(req.params?.version) }));
        if (result.status === 'invalid')
          return fail(req, res, 422, 'invalid_restore', said('error.restoreInvalid'), { problems: result.problems });
        res.send(201, { version: result.version });
      },
      { csrf: true, publisher: true },
    ),
  );

  server.post(
    '/studio/api/try',
    readJsonBody(16 * 1024),
    guarded(
      async (req, res) => {
        const { text } = body(req);
        if (typeof text !== 'string' || !text.trim() || text.length > MAX_TRY)
          return fail(req, res, 400, 'bad_request', said('error.sendMessage', { max: MAX_TRY }));
        res.send(200, await studio.tryMessage(text));
      },
      { csrf: true },
    ),
  );

  mountInsights(server, options, guarded, body, words);
  // The preview as a Web Chat pane: a Direct Line endpoint of its own, answered by the draft.
  const preview = new PreviewChannel(studio, words, options.preview);
  const closePreviewStreams = mountPreviewChannel(server, preview, guarded, options.logger, options.trustProxy, words);
  server.server.on('close', () => {
    closePreviewStreams();
    void preview.close();
  });
  mountStructure(server, studio, guarded, body, words);

  server.post(
    '/studio/api/preview',
    readJsonBody(16 * 1024),
    guarded(
      async (req, res, _session, sessionId) => {
        const { language, text, restart } = body(req);
        if (typeof language !== 'string' || !isLanguage(language) || (text !== undefined && typeof text !== 'string'))
          return fail(req, res, 400, 'bad_request', said('error.sendPreview', { languages }));
        const result = await studio.preview(sessionId, {
          language,
          ...(typeof text === 'string' ? { text: text.slice(0, 2000) } : {}),
          restart: restart === true,
        });
        res.send(200, result);
      },
      { csrf: true },
    ),
  );
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** A day as YYYY-MM-DD that is a real date. */
function isDay(value: unknown): value is string {
  return typeof value === 'string' && DAY.test(value) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value);
}

/** The insights and the inbox (api/studio.v1.yaml): 404 when insights are off. */
function mountInsights(
  server: Server,
  options: StudioRouteOptions,
  guarded: Guarded,
  body: (req: Request) => Record<string, unknown>,
  words: StudioWords,
): void {
  const { studio } = options;
  const fail = words.fail.bind(words);
  const withInsights =
    (handler: (insights: Insights, ...rest: Parameters<Handler>) => Promise<void>): Handler =>
    async (req, res, session, sessionId) => {
      if (!options.insights) return fail(req, res, 404, 'insights_off', said('error.insightsOff'));
      await handler(options.insights, req, res, session, sessionId);
    };

  server.get(
    '/studio/api/insights',
    guarded(
      withInsights(async (insights, req, res) => {
        const { from, to } = (req.query ?? {}) as Record<string, unknown>;
        if (!isDay(from) || !isDay(to)) return fail(req, res, 400, 'bad_request', said('error.sendDays'));
        const days = (Date.parse(to) - Date.parse(from)) / (24 * 3600 * 1000) + 1;
        if (days < 1 || days > MAX_DAYS)
          return fail(req, res, 400, 'bad_request', said('error.dayRange', { days: MAX_DAYS }));
        res.send(200, await insights.report(from, to));
      }),
    ),
  );

  server.get(
    '/studio/api/inbox',
    guarded(
      withInsights(async (insights, _req, res) => {
        res.send(200, await insights.inbox());
      }),
    ),
  );

  server.post(
    '/studio/api/inbox/:id/teach',
    readJsonBody(16 * 1024),
    guarded(
      withInsights(async (insights, req, res, session) => {
        const { topic } = body(req);
        if (typeof topic !== 'string' || !topic) return fail(req, res, 400, 'bad_request', said('error.sendTopic'));
        const id = String(req.params?.id ?? '');
        const group = (await insights.inbox()).find((each) => each.id === id);
        if (!group) return fail(req, res, 404, 'not_found', said('error.noInboxMessage'));
        if (!isLanguage(group.language))
          return fail(req, res, 422, 'unsupported_language', said('error.inboxLanguage'));
        const result = await studio.teach(group.language, topic, group.text, session.email);
        if (result.status === 'unknown')
          return fail(
            req,
            res,
            422,
            'unknown_topic',
            said('error.unknownTopic', { topic, topics: result.topics.join(', ') }),
          );
        if (result.status === 'invalid')
          return fail(req, res, 422, 'invalid_example', said('error.invalidExample'), { problems: result.problems });
        await insights.take(id);
        res.send(200, { status: 'taught', language: group.language, topic });
      }),
      { csrf: true },
    ),
  );

  server.post(
    '/studio/api/inbox/:id/dismiss',
    guarded(
      withInsights(async (insights, req, res, session) => {
        const taken = await insights.take(String(req.params?.id ?? ''));
        if (!taken) return fail(req, res, 404, 'not_found', said('error.noInboxMessage'));
        await studio.audit(session.email, 'dismiss', { language: taken.language });
        res.send(204);
      }),
      { csrf: true },
    ),
  );
}

/**
 * The studio page's words (web:studio.page.*) with their placeholders left for the page to fill, plural forms as
 * `key_one`, `key_other`…, and the languages' names: each in its own language for the page's language selector, and
 * in the page's language for everything else.
 */
export function pageTexts(language: Language, translate: StudioRouteOptions['translate']) {
  const texts: Record<string, string> = {};
  const plurals = new Intl.PluralRules(language).resolvedOptions().pluralCategories;
  for (const key of STUDIO_PAGE_KEYS) {
    const full = `${STUDIO_PAGE_PREFIX}${key}`;
    for (const [name, suffix] of [[key, ''], ...plurals.map((form) => [`${key}_${form}`, `_${form}`])] as const) {
      const text = translate(language, `${full}${suffix}`);
      // A text that is not there comes back as its own key (a plural form this language does not need).
      if (!text.endsWith(`studio.page.${name}`)) texts[name] = text;
    }
  }
  return {
    language,
    texts,
    languages: LANGUAGES.map((each) => ({
      language: each,
      ownName: translate(each, 'common:language.name'),
      name: translate(language, `common:languages.${each}`),
    })),
  };
}
