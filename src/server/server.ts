import restify, { type Next, type Request, type Response, type Server } from 'restify';
import type { BotEndpoint } from '../bot/endpoint';
import type { Logger } from '../logger';

/** Large enough for any real activity, small enough that nobody can make the bot buffer megabytes. */
export const MAX_BODY_BYTES = 256 * 1024;

export interface ServerOptions {
  bot: BotEndpoint;
  logger: Logger;
}

export function createServer(options: ServerOptions): Server {
  const server = restify.createServer({ name: 'helpdesk-bot', handleUncaughtExceptions: false });
  server.pre(restify.plugins.pre.sanitizePath());

  server.get('/healthz', (_req: Request, res: Response, next: Next) => {
    res.send(200, { status: 'ok' });
    return next();
  });

  server.post('/api/messages', readJsonBody, async (req: Request, res: Response) => {
    await options.bot.handle(req as never, res as never);
  });

  server.on('restifyError', (req: Request, _res: Response, error: Error, callback: () => void) => {
    options.logger.warn({ method: req.method, url: req.url, error: error.name }, 'request rejected');
    return callback();
  });
  return server;
}

/** Reads a JSON body with a size limit; malformed or oversized bodies get a clear 4xx, never a stack trace. */
function readJsonBody(req: Request, res: Response, next: Next): void {
  const type = req.header('content-type') ?? '';
  if (!/^application\/(.+\+)?json\b/i.test(type)) {
    res.send(415, { error: 'unsupported_media_type', message: 'Send the activity as application/json.' });
    return next(false);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let finished = false;
  const fail = (status: number, body: Record<string, string>) => {
    if (finished) return;
    finished = true;
    res.send(status, body);
    next(false);
  };
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      // Answer now and let the rest of the upload drain unread.
      fail(413, { error: 'body_too_large', message: `The body is larger than ${MAX_BODY_BYTES} bytes.` });
      return;
    }
    chunks.push(chunk);
  });
  req.on('error', () => fail(400, { error: 'invalid_body', message: 'The request body could not be read.' }));
  req.on('end', () => {
    if (finished) return;
    try {
      req.body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      fail(400, { error: 'invalid_json', message: 'The request body is not valid JSON.' });
      return;
    }
    finished = true;
    next();
  });
}
