import restify, { type Next, type Request, type Response, type Server } from 'restify';
import type { BotEndpoint } from '../bot/endpoint';
import type { Logger } from '../logger';
import { readJsonBody } from './jsonBody';


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

  server.post('/api/messages', readJsonBody(256 * 1024), async (req: Request, res: Response) => {
    await options.bot.handle(req as never, res as never);
  });

  server.on('restifyError', (req: Request, _res: Response, error: Error, callback: () => void) => {
    options.logger.warn({ method: req.method, url: req.url, error: error.name }, 'request rejected');
    return callback();
  });
  return server;
}

