import { Writable } from 'node:stream';
import pino from 'pino';
import type { AddressInfo } from 'node:net';
import { startAccountService, type RunningAccountService } from '../../src/referenceService/app';
import { createAccountServiceServer } from '../../src/referenceService/server';
import { ReferenceAccounts } from '../../src/referenceService/referenceAccounts';
import { MemoryAccountStore } from '../../src/referenceService/store';
import { createRedis, type RedisClient } from '../../src/state/redisConnection';
import { ROOT } from '../support/helpers';
import { RedisServer } from '../support/redisServer';
import { Contract } from '../support/contract';
import path from 'node:path';

const TOKEN = 'test-token-0123456789abcdef';
const contract = new Contract();

function recordingLogger() {
  const lines: string[] = [];
  return {
    lines,
    logger: pino(
      { level: 'info' },
      new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) }),
    ),
  };
}

/** Calls the service and holds every answer to the contract. */
async function call(
  service: RunningAccountService,
  route: string,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const response = await fetch(`${service.url}${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}`, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  const json = text ? JSON.parse(text) : undefined;
  expect(contract.check('POST', route, response.status, json, response.headers)).toEqual([]);
  return { status: response.status, json, text, headers: response.headers };
}

const helpdeskRequest = {
  fullName: 'Ana García',
  exam: 'B2 First',
  examDate: '2025-06-14',
  centreName: 'Centro Madrid',
  email: 'ana.garcia@example.org',
  idNumber: 'ABC123456',
  secretNumber: '1234',
  locale: 'es',
};

describe.each(['memory', 'redis'] as const)('the reference account service over HTTP, data in %s', (storeKind) => {
  let redis: RedisServer | undefined;
  let client: RedisClient | undefined;
  let service: RunningAccountService;
  const log = recordingLogger();
  /** How far the service's clock runs ahead of the real one, to let a limit's window pass. */
  let clockAhead = 0;

  beforeAll(async () => {
    if (storeKind === 'redis') {
      redis = await RedisServer.start();
      client = createRedis({ url: redis.url });
      await client.connect();
    }
    service = await startAccountService(
      {
        port: 0,
        host: '127.0.0.1',
        token: TOKEN,
        accountsFile: path.join(ROOT, 'demo', 'accounts.json'),
        ...(client ? { redis: client } : {}),
      },
      log.logger,
      () => new Date(Date.now() + clockAhead),
    );
  });
  afterAll(async () => {
    await service.close();
    client?.disconnect();
    await redis?.stop();
  });

  it('answers lock status per contract: locked + time, unlocked, unverified for unknown ID/wrong secret', async () => {
    const locked = await call(service, '/v1/lock-status', { idNumber: 'SIR094701', secretNumber: '8482' });
    expect(locked.json.status).toBe('locked');
    expect(new Date(locked.json.lockedUntil).getTime()).toBeGreaterThan(Date.now() + 20 * 60_000);
    expect((await call(service, '/v1/lock-status', { idNumber: 'ABC123456', secretNumber: '1234' })).json).toEqual({
      status: 'unlocked',
    });
    const unknown = await call(service, '/v1/lock-status', { idNumber: 'NOBODY123', secretNumber: '1234' });
    const wrong = await call(service, '/v1/lock-status', { idNumber: 'XYZ654321', secretNumber: '0000' });
    expect(unknown.text).toBe('{"status":"unverified"}');
    expect(wrong.text).toBe(unknown.text);
  });

  it('applies the site sign-in rule, so the lock the bot reports is real', async () => {
    // XYZ654321 starts with two wrong passwords already.
    expect((await call(service, '/v1/sign-in', { idNumber: 'XYZ654321', password: 'guess' })).json).toEqual({
      result: 'locked',
    });
    const status = await call(service, '/v1/lock-status', { idNumber: 'XYZ654321', secretNumber: '4321' });
    expect(status.json.status).toBe('locked');
  });

  it('accepts well-formed resets alike, emails once per idempotency key, only to the registered address', async () => {
    const first = await call(
      service,
      '/v1/password-resets',
      { idNumber: 'ABC123456' },
      { 'idempotency-key': 'reset-key-0001' },
    );
    const again = await call(
      service,
      '/v1/password-resets',
      { idNumber: 'ABC123456' },
      { 'idempotency-key': 'reset-key-0001' },
    );
    const unknown = await call(
      service,
      '/v1/password-resets',
      { idNumber: 'NOBODY123' },
      { 'idempotency-key': 'reset-key-0002' },
    );
    expect([first.status, again.status, unknown.status]).toEqual([202, 202, 202]);
    expect(unknown.text).toBe(first.text);
    expect((await service.accounts.sentEmails()).map((email) => email.to)).toEqual(['candidate.open@example.org']);
    expect(log.lines.join('')).toContain('"to":"c***@example.org"');
    expect(log.lines.join('')).not.toContain('candidate.open@example.org');
  });

  it('refuses a second reset email for the same ID within 15 minutes with 429 and Retry-After', async () => {
    const limited = await call(
      service,
      '/v1/password-resets',
      { idNumber: 'ABC123456' },
      { 'idempotency-key': 'reset-key-0003' },
    );
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.json.error).toBe('rate_limited');
  });

  it('files a helpdesk request once per idempotency key and returns its reference', async () => {
    const first = await call(service, '/v1/helpdesk-requests', helpdeskRequest, {
      'idempotency-key': 'helpdesk-key-1',
    });
    const again = await call(service, '/v1/helpdesk-requests', helpdeskRequest, {
      'idempotency-key': 'helpdesk-key-1',
    });
    expect(first.status).toBe(201);
    expect(again.json).toEqual(first.json);
    expect(await service.accounts.helpdeskRequests()).toHaveLength(1);
  });

  it('binds an idempotency key to its endpoint and body: reused for another, it is refused with 422', async () => {
    const key = { 'idempotency-key': 'bound-key-0001' };
    const first = await call(service, '/v1/helpdesk-requests', helpdeskRequest, key);
    expect(first.status).toBe(201);
    // The same request again, written differently (key order), is the same request.
    const reordered = Object.fromEntries(Object.entries(helpdeskRequest).reverse());
    expect((await call(service, '/v1/helpdesk-requests', reordered, key)).json).toEqual(first.json);
    const filed = (await service.accounts.helpdeskRequests()).length;

    const otherBody = await call(service, '/v1/helpdesk-requests', { ...helpdeskRequest, fullName: 'Eva Ruiz' }, key);
    expect(otherBody.status).toBe(422);
    expect(otherBody.json).toEqual({ error: 'idempotency_key_reused', message: expect.any(String) });
    expect(otherBody.text).not.toContain(first.json.reference);
    const otherEndpoint = await call(service, '/v1/password-resets', { idNumber: 'ABC123456' }, key);
    expect(otherEndpoint.status).toBe(422);
    expect(otherEndpoint.json.error).toBe('idempotency_key_reused');
    expect(await service.accounts.helpdeskRequests()).toHaveLength(filed);

    // Bound from the first use on either endpoint.
    const resetKey = { 'idempotency-key': 'bound-key-0002' };
    expect((await call(service, '/v1/password-resets', { idNumber: 'BOUND0001' }, resetKey)).status).toBe(202);
    expect((await call(service, '/v1/password-resets', { idNumber: 'BOUND0002' }, resetKey)).status).toBe(422);
    expect((await call(service, '/v1/helpdesk-requests', helpdeskRequest, resetKey)).status).toBe(422);
    expect(await service.accounts.helpdeskRequests()).toHaveLength(filed);
  });

  it('does not keep a 429 under the key: the same key after the limit has passed is processed', async () => {
    const idNumber = `WAIT${storeKind.toUpperCase()}1`;
    const sent = await call(service, '/v1/password-resets', { idNumber }, { 'idempotency-key': 'limited-key-0001' });
    expect(sent.status).toBe(202);
    const retried = { 'idempotency-key': 'limited-key-0002' };
    const limited = await call(service, '/v1/password-resets', { idNumber }, retried);
    expect(limited.status).toBe(429);
    clockAhead += (Number(limited.headers.get('retry-after')) + 1) * 1000;
    expect((await call(service, '/v1/password-resets', { idNumber }, retried)).status).toBe(202);
  });

  it('limits lock checks to 5 per conversation per hour', async () => {
    const headers = { 'conversation-id': `conversation-${storeKind}` };
    for (let attempt = 0; attempt < 5; attempt++) {
      expect(
        (await call(service, '/v1/lock-status', { idNumber: `LIMIT0000${attempt}`, secretNumber: '1111' }, headers))
          .status,
      ).toBe(200);
    }
    const refused = await call(service, '/v1/lock-status', { idNumber: 'ABC123456', secretNumber: '1234' }, headers);
    expect(refused.status).toBe(429);
  });

  it('answers malformed requests with 400 and a machine-readable reason', async () => {
    expect((await call(service, '/v1/lock-status', '{"idNumber":')).json.error).toBe('invalid_json');
    expect((await call(service, '/v1/lock-status', { idNumber: 'ABC123456' })).json).toMatchObject({
      error: 'invalid_body',
      field: 'secretNumber',
    });
    expect((await call(service, '/v1/lock-status', { idNumber: 'abc 123', secretNumber: '1' })).json).toMatchObject({
      error: 'invalid_body',
      field: 'idNumber',
    });
    expect(
      (await call(service, '/v1/lock-status', { idNumber: 'ABC123456', secretNumber: '1234', extra: 1 })).json.error,
    ).toBe('invalid_body');
    expect((await call(service, '/v1/password-resets', { idNumber: 'ABC123456' })).json.error).toBe(
      'missing_idempotency_key',
    );
    expect(
      (
        await call(
          service,
          '/v1/helpdesk-requests',
          { ...helpdeskRequest, examDate: '2025-02-31' },
          { 'idempotency-key': 'helpdesk-key-2' },
        )
      ).json,
    ).toMatchObject({
      error: 'invalid_body',
      field: 'examDate',
    });
    const { email: _none, ...withoutEmail } = helpdeskRequest;
    for (const [body, key] of [
      [withoutEmail, 'helpdesk-key-3'],
      [{ ...helpdeskRequest, email: 'not an address' }, 'helpdesk-key-4'],
    ] as const)
      expect((await call(service, '/v1/helpdesk-requests', body, { 'idempotency-key': key })).json).toMatchObject({
        error: 'invalid_body',
        field: 'email',
      });
  });

  it('needs the bearer token', async () => {
    for (const authorization of ['', 'Bearer wrong-token', `Bearer ${TOKEN}x`, TOKEN]) {
      const response = await call(
        service,
        '/v1/lock-status',
        { idNumber: 'ABC123456', secretNumber: '1234' },
        { authorization },
      );
      expect(response.status).toBe(401);
    }
  });

  if (storeKind === 'redis') {
    it('answers 500 without exception text while Redis is down, and works again when it is back', async () => {
      await redis!.stop();
      const down = await call(
        service,
        '/v1/lock-status',
        { idNumber: 'ABC123456', secretNumber: '1234' },
        { 'conversation-id': 'down' },
      );
      expect(down.status).toBe(500);
      expect(down.json).toEqual({
        error: 'internal_error',
        message: 'The account service could not process this request.',
      });
      await redis!.resume();
      let status = 0;
      for (let attempt = 0; attempt < 50 && status !== 200; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        status = (
          await call(
            service,
            '/v1/lock-status',
            { idNumber: 'ABC123456', secretNumber: '1234' },
            { 'conversation-id': 'back' },
          )
        ).status;
      }
      expect(status).toBe(200);
    });
  }
});

describe('a repeat of a request the reference service is still processing', () => {
  it('gets 409 with Retry-After, not a 500, and the first answer once there is one', async () => {
    let fileIt = () => {};
    const filing = new Promise<void>((resolve) => (fileIt = resolve));
    // A store that takes its time to file a request, as under load.
    const store = new MemoryAccountStore();
    const recordRequest = store.recordRequest.bind(store);
    store.recordRequest = async (request) => {
      await filing;
      await recordRequest(request);
    };
    const server = createAccountServiceServer({
      accounts: new ReferenceAccounts(store, Buffer.alloc(32, 7)),
      token: TOKEN,
      logger: recordingLogger().logger,
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const service = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` } as RunningAccountService;
    try {
      const key = { 'idempotency-key': 'slow-key-0001' };
      const first = call(service, '/v1/helpdesk-requests', helpdeskRequest, key);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const repeat = await call(service, '/v1/helpdesk-requests', helpdeskRequest, key);
      expect(repeat.status).toBe(409);
      expect(repeat.json.error).toBe('idempotency_key_in_progress');
      expect(Number(repeat.headers.get('retry-after'))).toBeGreaterThan(0);
      fileIt();
      const filed = await first;
      expect(filed.status).toBe(201);
      expect((await call(service, '/v1/helpdesk-requests', helpdeskRequest, key)).json).toEqual(filed.json);
      expect(await store.requests()).toHaveLength(1);
    } finally {
      fileIt();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('the reference service started on a Redis an earlier version wrote to', () => {
  it('deletes the old list of helpdesk requests, which kept secret numbers in clear, and says so once', async () => {
    const redis = await RedisServer.start();
    const client = createRedis({ url: redis.url });
    await client.connect();
    const old = [{ ...helpdeskRequest, reference: 'HD-OLD1-OLD1', secretNumber: '7391' }];
    await client.rpush('account-service:helpdesk', ...old.map((request) => JSON.stringify(request)));
    const start = async () => {
      const log = recordingLogger();
      const settings = {
        port: 0,
        host: '127.0.0.1',
        token: TOKEN,
        accountsFile: path.join(ROOT, 'demo', 'accounts.json'),
      };
      const service = await startAccountService({ ...settings, redis: client }, log.logger);
      await service.close();
      return log.lines.filter((line) => line.includes('helpdesk requests kept from an earlier version'));
    };
    try {
      const upgraded = await start();
      expect(await client.exists('account-service:helpdesk')).toBe(0);
      expect(upgraded).toHaveLength(1);
      expect(JSON.parse(upgraded[0]!)).toMatchObject({ deleted: 1 });
      expect(upgraded[0]).not.toContain('7391');
      // Started again (or another instance): nothing left to delete, nothing said.
      expect(await start()).toEqual([]);
    } finally {
      client.disconnect();
      await redis.stop();
    }
  });
});
