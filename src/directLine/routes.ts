import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Request, Response, Server } from 'restify';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../logger';
import { DirectLineError, UNAVAILABLE_RETRY_SECONDS, type LocalDirectLine } from './localDirectLine';
import { readJsonBody } from '../http/jsonBody';
import type { RateLimiter } from '../state/rateLimit';

export const DIRECT_LINE_PATH = '/v3/directline';

const STATUS: Record<DirectLineError['code'], number> = {
  BadArgument: 400,
  Forbidden: 403,
  TokenExpired: 403,
  NotFound: 404,
  TooLarge: 413,
  TooManyRequests: 429,
  BotError: 502,
  ServiceUnavailable: 503,
};

/** Direct Line's error body: `{ error: { code, message } }`, with Retry-After when waiting helps. */
function refuse(res: Response, error: unknown, logger: Logger): void {
  if (error instanceof DirectLineError) {
    if (error.retryAfterSeconds !== undefined) res.header('retry-after', String(error.retryAfterSeconds));
    res.send(STATUS[error.code], { error: { code: error.code, message: error.message } });
    return;
  }
  logger.error({ err: error }, 'direct line request failed');
  res.send(500, { error: { code: 'ServiceError', message: 'The request could not be completed.' } });
}

function bearer(req: Pick<IncomingMessage, 'headers'>): string | undefined {
  const header = req.headers.authorization;
  return header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
}

/** The client's address: the one the trusted balancer appended last, else the connection's. */
export function clientAddress(req: Request, trustProxy: boolean): string {
  const forwarded = trustProxy ? req.header('x-forwarded-for')?.split(',').at(-1)?.trim() : undefined;
  return forwarded || req.socket.remoteAddress || 'unknown';
}

/** The stream's address for a conversation, on the origin the client used (as the proxy says, if trusted). */
function streamUrl(
  req: Request,
  trustProxy: boolean,
  conversationId: string,
  token: string,
  watermark?: string,
  basePath = DIRECT_LINE_PATH,
): string {
  const secure = req.isSecure() || (trustProxy && req.header('x-forwarded-proto') === 'https');
  const named = ((trustProxy && req.header('x-forwarded-host')?.split(',')[0]?.trim()) || req.header('host')) ?? '';
  // A proxy that passes the host without its port (nginx's `$host`) says the port in X-Forwarded-Port.
  const port = trustProxy ? req.header('x-forwarded-port')?.split(',')[0]?.trim() : undefined;
  const host =
    port && /^\d+$/.test(port) && !/:\d+$|\]$/.test(named) && port !== (secure ? '443' : '80')
      ? `${named}:${port}`
      : named;
  const query = new URLSearchParams({ t: token, ...(watermark ? { watermark } : {}) });
  const path = `${basePath}/conversations/${encodeURIComponent(conversationId)}/stream`;
  return `${secure ? 'wss' : 'ws'}://${host}${path}?${query}`;
}

export interface DirectLineRouteOptions {
  /** The secret path the bot's replies arrive on; none for an endpoint whose replies need no connector. */
  connectorPath?: string;
  logger: Logger;
  trustProxy?: boolean;
  /** The page's token endpoint's per-address limit, which refreshes and reconnects count against too. */
  tokenLimiter?: RateLimiter;
  /** Where the endpoint is: DIRECT_LINE_PATH, or a second endpoint's own path beside it. */
  basePath?: string;
  /** Refuses a request (throwing a DirectLineError) that may not use the conversation its token is for. */
  admit?: (req: IncomingMessage, token: string | undefined) => Promise<void>;
}

/**
 * The Direct Line 3.0 routes of the local endpoint (conversations, activities with watermarks, a WebSocket
 * stream, token refresh) and the Bot Connector routes the bot's replies arrive on. A refresh or a reconnect is a
 * token like a new one: it counts against `tokenLimiter`, the page's token endpoint's per-address limit.
 * `basePath` puts a second endpoint beside the page's (the studio's preview, whose replies need no connector).
 */
export function mountDirectLine(
  server: Server,
  directLine: LocalDirectLine,
  options: DirectLineRouteOptions,
): { closeStreams(): void } {
  const { connectorPath, logger, trustProxy = false, tokenLimiter, basePath = DIRECT_LINE_PATH, admit } = options;
  const json = readJsonBody(256 * 1024);
  /** A route answering `status` with what `answer` gives, or Direct Line's error body; clients' are admitted first. */
  const route =
    (status: number, answer: (req: Request, conversationId: string) => Promise<unknown> | unknown, fromBot = false) =>
    async (req: Request, res: Response) => {
      try {
        if (!fromBot) await admit?.(req, bearer(req));
        res.send(status, await answer(req, req.params.conversationId as string));
      } catch (error) {
        refuse(res, error, logger);
      }
    };
  const watermarkOf = (req: Request) => req.query?.watermark as string | undefined;

  /** Counts a fresh token against the address's allowance; called once the request would get one. */
  const countToken = async (req: Request) => {
    if (!tokenLimiter) return;
    const decision = await tokenLimiter.take(clientAddress(req, trustProxy)).catch(() => {
      throw new DirectLineError(
        'ServiceUnavailable',
        'Tokens cannot be given right now; try again in a few seconds.',
        UNAVAILABLE_RETRY_SECONDS,
      );
    });
    if (!decision.allowed)
      throw new DirectLineError(
        'TooManyRequests',
        `Too many tokens for this address; try again in ${decision.retryAfterSeconds} seconds.`,
        decision.retryAfterSeconds,
      );
  };

  server.post(
    `${basePath}/tokens/refresh`,
    route(200, async (req) => {
      // A token that would be refused anyway is refused before it uses up the address's allowance.
      const refreshed = directLine.refresh(bearer(req));
      await countToken(req);
      return refreshed;
    }),
  );
  server.post(
    `${basePath}/conversations`,
    route(201, async (req) => {
      const info = await directLine.start(bearer(req));
      return { ...info, streamUrl: streamUrl(req, trustProxy, info.conversationId, info.token, undefined, basePath) };
    }),
  );
  server.get(
    `${basePath}/conversations/:conversationId`,
    route(200, async (req, conversationId) => {
      const info = await directLine.reconnect(bearer(req), conversationId);
      await countToken(req);
      return {
        ...info,
        streamUrl: streamUrl(req, trustProxy, info.conversationId, info.token, watermarkOf(req), basePath),
      };
    }),
  );
  server.get(
    `${basePath}/conversations/:conversationId/activities`,
    route(200, (req, conversationId) => directLine.read(bearer(req), conversationId, watermarkOf(req))),
  );
  server.post(
    `${basePath}/conversations/:conversationId/activities`,
    json,
    route(200, async (req, conversationId) => ({
      id: await directLine.post(bearer(req), conversationId, req.body, { address: clientAddress(req, trustProxy) }),
    })),
  );
  server.post(`${basePath}/conversations/:conversationId/upload`, async (_req: Request, res: Response) => {
    res.send(415, {
      error: { code: 'BadArgument', message: 'This bot does not accept file uploads; type your message instead.' },
    });
  });

  // Bot Connector API, the subset CloudAdapter uses for sendActivity/replyToActivity/updateActivity.
  if (connectorPath !== undefined) {
    const reply = route(
      200,
      async (req, conversationId) => ({ id: await directLine.fromBot(conversationId, req.body) }),
      true,
    );
    server.post(`${connectorPath}/v3/conversations/:conversationId/activities`, json, reply);
    server.post(`${connectorPath}/v3/conversations/:conversationId/activities/:activityId`, json, reply);
    server.put(
      `${connectorPath}/v3/conversations/:conversationId/activities/:activityId`,
      json,
      route(
        200,
        async (req, conversationId) => ({
          id: await directLine.updateFromBot(conversationId, req.params.activityId as string, req.body),
        }),
        true,
      ),
    );
  }

  return { closeStreams: attachStream(server, directLine, logger, basePath, admit) };
}

type Upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer, url: URL) => boolean;

/** The streams of every endpoint on a server, tried in turn by one 'upgrade' listener: none refuses another's. */
const upgrades = new WeakMap<Server, Upgrade[]>();

function onUpgrade(server: Server, handler: Upgrade): void {
  let handlers = upgrades.get(server);
  if (!handlers) {
    const all: Upgrade[] = (handlers = []);
    upgrades.set(server, all);
    server.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      // Nothing here may throw: an error in an 'upgrade' listener would take the process down.
      socket.on('error', () => socket.destroy());
      let url: URL;
      try {
        url = new URL(req.url ?? '/', 'http://localhost');
      } catch {
        return socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      }
      if (!all.some((each) => each(req, socket, head, url)))
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
    });
  }
  handlers.push(handler);
}

/** A WebSocket close frame's reason: at most 123 bytes of UTF-8, cut between characters. */
function closeReason(text: string): string {
  const characters = [...text];
  while (Buffer.byteLength(characters.join('')) > 123) characters.pop();
  return characters.join('');
}

/** WebSocket stream at .../conversations/{id}/stream?t=<token>&watermark=: `{ activities, watermark }` frames. */
function attachStream(
  server: Server,
  directLine: LocalDirectLine,
  logger: Logger,
  basePath: string,
  admit: DirectLineRouteOptions['admit'],
): () => void {
  const sockets = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  const pattern = new RegExp(`^${basePath}/conversations/([^/?]+)/stream$`);
  const refuse = (socket: Duplex, status: string) => socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`);

  onUpgrade(server, (req, socket, head, url) => {
    const match = pattern.exec(url.pathname);
    if (!match) return false;
    let conversationId: string;
    try {
      conversationId = decodeURIComponent(match[1]!);
    } catch {
      refuse(socket, '400 Bad Request');
      return true;
    }
    const token = url.searchParams.get('t') ?? bearer(req);
    sockets.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      ws.on('error', () => ws.terminate());
      let closed = false;
      let unsubscribe: (() => void) | undefined;
      // An empty message now and then keeps proxies from closing an idle stream, as the service does.
      // It also keeps the conversation from expiring while the candidate has the chat open.
      const keepAlive = setInterval(() => {
        if (ws.readyState !== ws.OPEN) return;
        ws.send('');
        void directLine.touch(conversationId).catch(() => undefined);
      }, 30_000).unref();
      ws.on('close', () => {
        closed = true;
        clearInterval(keepAlive);
        unsubscribe?.();
      });
      Promise.resolve(admit?.(req, token ?? undefined))
        .then(() =>
          directLine.subscribe(
            token ?? undefined,
            conversationId,
            url.searchParams.get('watermark') ?? undefined,
            (set) => {
              if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(set));
            },
          ),
        )
        .then(
          (stop) => {
            if (closed) stop();
            else unsubscribe = stop;
          },
          (error: unknown) => {
            const refused = error instanceof DirectLineError ? error : undefined;
            if (!refused) logger.error({ err: error }, 'direct line stream failed');
            ws.close(
              refused ? (refused.code === 'NotFound' ? 4404 : 4403) : 1011,
              closeReason(refused?.message ?? 'stream failed'),
            );
          },
        );
    });
    return true;
  });
  // Streams never end on their own: shutting down closes them (clients reconnect elsewhere).
  return () => {
    for (const client of sockets.clients) client.close(1001, 'server shutting down');
    setTimeout(() => {
      for (const client of sockets.clients) client.terminate();
    }, 1000).unref();
    sockets.close();
  };
}
