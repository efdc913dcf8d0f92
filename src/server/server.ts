import restify, { type Next, type Request, type Response, type Server } from 'restify';
import type { BotEndpoint } from '../bot/endpoint';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import type { LocalDirectLine } from '../directLine/localDirectLine';
import { mountDirectLine } from '../directLine/routes';
import { readJsonBody } from '../http/jsonBody';
import { mountStudio, type StudioRouteOptions } from './studio';
import { mountOidcSignIn } from './studioOidc';
import { mountWebChat, type WebChatOptions } from './webChat';

export interface ServerOptions {
  bot: BotEndpoint;
  logger: Logger;
  metrics?: Metrics;
  /** Each dependency's health, for /readyz; all must be true for the instance to take traffic. */
  ready?: () => Promise<Record<string, boolean>>;
  /** The support-site page at `/` and its token endpoint. */
  webChat?: Omit<WebChatOptions, 'logger'>;
  /** The local Direct Line endpoint, with the secret path its Bot Connector routes live under. */
  directLine?: { hub: LocalDirectLine; connectorPath: string };
  /** /readyz and /metrics are served by the admin server (ADMIN_PORT), not here. */
  adminElsewhere?: boolean;
  /** The content studio at /studio (absent with STUDIO=off). */
  studio?: Omit<StudioRouteOptions, 'logger'>;
}

export type AdminOptions = Pick<ServerOptions, 'metrics' | 'ready'>;

/** The operator's server on ADMIN_PORT: health, readiness and metrics, nothing a candidate uses. */
export function createAdminServer(options: AdminOptions): Server {
  const server = restify.createServer({ name: 'helpdesk-bot-admin', handleUncaughtExceptions: false });
  server.pre(restify.plugins.pre.sanitizePath());
  mountAdminRoutes(server, options);
  return server;
}

function mountAdminRoutes(server: Server, options: AdminOptions): void {
  const readyz = async (_req: Request, res: Response) => {
    const checks = (await options.ready?.()) ?? {};
    const ready = Object.values(checks).every(Boolean);
    res.header('content-type', 'application/json');
    res.send(ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', checks });
  };
  server.get('/readyz', readyz);
  server.head('/readyz', readyz);

  server.get('/metrics', async (_req: Request, res: Response) => {
    if (!options.metrics) return res.send(404, { error: 'not_found', message: 'Metrics are not enabled.' });
    const body = await options.metrics.registry.metrics();
    res.setHeader('content-type', options.metrics.registry.contentType);
    res.sendRaw(200, body);
  });
}

/** The bot's HTTP server, and how to end the streams that would otherwise keep it from closing. */
export interface HelpdeskServer {
  server: Server;
  closeStreams(): void;
}

export function createServer(options: ServerOptions): HelpdeskServer {
  const server = restify.createServer({ name: 'helpdesk-bot', handleUncaughtExceptions: false });
  server.pre(restify.plugins.pre.sanitizePath());
  server.use(restify.plugins.queryParser({ mapParams: false }));

  // Uptime monitors and balancers often ask with HEAD: the same answer, without the body.
  const healthz = (_req: Request, res: Response, next: Next) => {
    res.header('content-type', 'application/json');
    res.send(200, { status: 'ok' });
    return next();
  };
  server.get('/healthz', healthz);
  server.head('/healthz', healthz);

  if (!options.adminElsewhere) mountAdminRoutes(server, options);

  server.post('/api/messages', readJsonBody(256 * 1024), async (req: Request, res: Response) => {
    await options.bot.handle(req, res);
  });

  const streams = options.directLine
    ? mountDirectLine(server, options.directLine.hub, {
        connectorPath: options.directLine.connectorPath,
        logger: options.logger,
        trustProxy: options.webChat?.trustProxy ?? false,
        ...(options.webChat?.limiter ? { tokenLimiter: options.webChat.limiter } : {}),
      })
    : undefined;
  if (options.webChat) mountWebChat(server, { ...options.webChat, logger: options.logger });
  if (options.studio) {
    mountStudio(server, { ...options.studio, logger: options.logger });
    mountOidcSignIn(server, { ...options.studio, logger: options.logger });
  }

  server.on('restifyError', (req: Request, _res: Response, error: Error, callback: () => void) => {
    // The path only: a query may hold a stream token, and the connector path is a secret of its own.
    const path = req.getPath().replace(/^\/connector\/[^/]+/, '/connector/[hidden]');
    options.logger.warn({ method: req.method, path, error: error.name }, 'request rejected');
    return callback();
  });
  return { server, closeStreams: () => streams?.closeStreams() };
}
