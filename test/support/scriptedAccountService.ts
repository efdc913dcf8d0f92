import { once } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** What the service does with a request: answers it now or later, or never (`undefined`). */
export type Script = (path: string, body: unknown) => Answer | Promise<Answer | undefined> | undefined;

/**
 * An account service at the edge of the bot, on 127.0.0.1, that answers as the test says: a limit (429),
 * a slow answer, or none at all. It records what it was asked.
 */
export class ScriptedAccountService {
  readonly requests: Array<{ path: string; body: unknown }> = [];
  readonly token = 'scripted-account-service-token';
  private readonly arrivals: Array<() => void> = [];
  private constructor(
    private readonly server: ReturnType<typeof createServer>,
    readonly url: string,
  ) {}

  static async start(script: Script): Promise<ScriptedAccountService> {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const service = new ScriptedAccountService(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    server.on('request', async (req, res: ServerResponse) => {
      let text = '';
      for await (const chunk of req) text += chunk;
      const path = req.url ?? '';
      const body = text ? (JSON.parse(text) as unknown) : undefined;
      service.requests.push({ path, body });
      for (const wake of service.arrivals.splice(0)) wake();
      const answer = await script(path, body);
      if (!answer || res.destroyed) return;
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
    });
    return service;
  }

  /** Resolves once a request for `path` has arrived (or already had), failing after `ms`. */
  async received(path: string, ms = 10_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!this.requests.some((request) => request.path === path)) {
      if (Date.now() > deadline) throw new Error(`the account service was not asked for ${path} within ${ms} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 100);
        this.arrivals.push(() => (clearTimeout(timer), resolve()));
      });
    }
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * An account service whose every lock check finds the account locked for `lockMs` from the moment of the
 * check, so the lock is never over before it is reported, whatever the machine's speed. `lockedUntil()`
 * is the end it last reported.
 */
export async function shortLockService(lockMs: number): Promise<ScriptedAccountService & { lockedUntil(): number }> {
  let lockedUntil = 0;
  const service = await ScriptedAccountService.start((path) => {
    if (path !== '/v1/lock-status')
      return { status: 404, body: { error: 'not_found', message: 'Not part of this test.' } };
    lockedUntil = Date.now() + lockMs;
    return { status: 200, body: { status: 'locked', lockedUntil: new Date(lockedUntil).toISOString() } };
  });
  return Object.assign(service, { lockedUntil: () => lockedUntil });
}
