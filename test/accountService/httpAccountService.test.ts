import { createServer as createHttpServer, request as httpRequest, type Server as HttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import path from 'node:path';
import { BrokenCircuitError } from 'cockatiel';
import { startAccountService, type RunningAccountService } from '../../src/referenceService/app';
import { createLogger } from '../../src/logger';
import { HttpAccountService, ServiceUnavailable } from '../../src/accountService/httpAccountService';
import { ROOT } from '../support/helpers';
import { freePort } from '../support/redisServer';

const TOKEN = 'client-test-token-0123456789';
const quiet = createLogger('silent');
const start = (port = 0) =>
  startAccountService(
    { port, host: '127.0.0.1', token: TOKEN, accountsFile: path.join(ROOT, 'demo', 'accounts.json') },
    quiet,
  );

/** A TCP listener that counts connections and either drops them or never answers: faults at the network edge. */
async function faultyListener(
  behaviour: 'drop' | 'hang',
  port = 0,
): Promise<{ server: Server; port: number; connections: () => number; close(): Promise<void> }> {
  let connections = 0;
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    connections += 1;
    sockets.add(socket);
    if (behaviour === 'drop') socket.destroy();
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  return {
    server,
    port: (server.address() as { port: number }).port,
    connections: () => connections,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

describe('the bot client of the account service', () => {
  let service: RunningAccountService;
  beforeAll(async () => {
    service = await start();
  });
  afterAll(async () => service.close());

  it('speaks the contract: lock status with its time, accepted resets, helpdesk references', async () => {
    const client = new HttpAccountService({ baseUrl: service.url, token: TOKEN });
    const locked = await client.checkLockStatus({ idNumber: 'SIR094701', secretNumber: '8482' });
    expect(locked.status).toBe('locked');
    expect(locked.status === 'locked' && locked.lockedUntil instanceof Date).toBe(true);
    expect(await client.checkLockStatus({ idNumber: 'ABC123456', secretNumber: '0000' })).toEqual({
      status: 'unverified',
    });
    expect(
      await client.requestPasswordReset({ idNumber: 'ABC123456' }, { idempotencyKey: 'conversation|activity-1:reset' }),
    ).toEqual({ status: 'accepted' });
    expect(
      await client.requestPasswordReset({ idNumber: 'ABC123456' }, { idempotencyKey: 'conversation|activity-2:reset' }),
    ).toMatchObject({ status: 'limited' });
    const { reference } = await client.createHelpdeskRequest(
      {
        fullName: 'Ana',
        exam: 'B2 First',
        examDate: '2025-06-14',
        centreName: 'Centro',
        email: 'ana@example.org',
        idNumber: 'ABC123456',
        secretNumber: '1234',
        locale: 'es',
      },
      { idempotencyKey: 'conversation|activity-3:helpdesk' },
    );
    expect(reference).toMatch(/^HD-/);
  });

  it('opens the breaker after 5 failures in a row, fails fast while open, recovers once service is up', async () => {
    const port = await freePort();
    const dropping = await faultyListener('drop', port);
    const client = new HttpAccountService({
      baseUrl: `http://127.0.0.1:${port}`,
      token: TOKEN,
      retries: 0,
      halfOpenAfterMs: 300,
    });
    for (let attempt = 0; attempt < 5; attempt++) {
      await expect(client.checkLockStatus({ idNumber: 'ABC123456', secretNumber: '1234' })).rejects.toBeInstanceOf(
        ServiceUnavailable,
      );
    }
    expect(client.breakerState).toBe('open');
    await expect(client.checkLockStatus({ idNumber: 'ABC123456', secretNumber: '1234' })).rejects.toBeInstanceOf(
      BrokenCircuitError,
    );
    expect(dropping.connections()).toBe(5);
    await dropping.close();

    const back = await start(port);
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(await client.checkLockStatus({ idNumber: 'ABC123456', secretNumber: '1234' })).toEqual({
      status: 'unlocked',
    });
    expect(client.breakerState).toBe('closed');
    await back.close();
  });

  it('gives up on an attempt that gets no answer, and tries again', async () => {
    const hanging = await faultyListener('hang');
    const client = new HttpAccountService({
      baseUrl: `http://127.0.0.1:${hanging.port}`,
      token: TOKEN,
      attemptTimeoutMs: 150,
      retries: 1,
    });
    await expect(client.checkLockStatus({ idNumber: 'ABC123456', secretNumber: '1234' })).rejects.toThrow();
    expect(hanging.connections()).toBe(2);
    await hanging.close();
  });

  it('retries a reset with the same Idempotency-Key, so the candidate gets one email', async () => {
    // A gateway in front of the real service that fails the first request, as a flaky network would.
    const keys: string[] = [];
    let seen = 0;
    const gateway: HttpServer = createHttpServer((req, res) => {
      keys.push(String(req.headers['idempotency-key']));
      seen += 1;
      if (seen === 1) {
        req.resume();
        res.statusCode = 503;
        res.end();
        return;
      }
      const target = new URL(service.url);
      const forward = httpRequest(
        { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      req.pipe(forward);
    });
    gateway.listen(0, '127.0.0.1');
    await once(gateway, 'listening');
    const before = (await service.accounts.sentEmails()).length;
    const client = new HttpAccountService({
      baseUrl: `http://127.0.0.1:${(gateway.address() as { port: number }).port}`,
      token: TOKEN,
    });
    expect(
      await client.requestPasswordReset({ idNumber: 'XYZ654321' }, { idempotencyKey: 'conversation|activity-9:reset' }),
    ).toEqual({ status: 'accepted' });
    expect(keys).toHaveLength(2);
    expect(keys[1]).toBe(keys[0]);
    expect(keys[0]).not.toContain('activity-9');
    expect((await service.accounts.sentEmails()).length).toBe(before + 1);
    gateway.close();
  });
});
