import { once } from 'node:events';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { startBot, type RunningBot } from '../../src/index';
import { createLogger } from '../../src/logger';
import { startAccountService, type RunningAccountService } from '../../src/referenceService/app';
import type { FormNode } from '../../src/content/dialogSchema';
import { content, ROOT } from '../support/helpers';
import { HttpConversation } from '../support/httpConversation';
import { RedisServer } from '../support/redisServer';
import { ScriptedAccountService } from '../support/scriptedAccountService';

const TOKEN = 'slow-service-test-token-0123456789';
const quiet = createLogger('silent');
const form = (id: string) => content().dialog.nodes[id] as FormNode;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The account service as a slow one: each request is read in full, held for `delayMs` (the service is busy
 * with it whether or not the caller still waits), then handed to the real service. Records what arrived.
 */
async function slowService(target: string) {
  const arrived: Array<{ path: string; key: string }> = [];
  const pending = new Set<Promise<void>>();
  let delayMs = 0;
  const server: Server = createServer((req, res) => {
    const handle = (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      arrived.push({ path: req.url ?? '', key: String(req.headers['idempotency-key']) });
      await sleep(delayMs);
      const url = new URL(target);
      const forwarded = httpRequest({
        host: url.hostname,
        port: url.port,
        path: req.url,
        method: req.method,
        headers: req.headers,
      });
      forwarded.end(Buffer.concat(chunks));
      const [answer] = (await once(forwarded, 'response')) as [IncomingMessage];
      const body: Buffer[] = [];
      for await (const chunk of answer) body.push(chunk as Buffer);
      if (res.destroyed) return;
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      res.end(Buffer.concat(body));
    })();
    pending.add(handle);
    void handle.finally(() => pending.delete(handle));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    arrived,
    set delay(ms: number) {
      delayMs = ms;
    },
    /** Resolves once every request that arrived has reached the real service and been answered. */
    async settled() {
      while (pending.size) await Promise.all(pending);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function bot(env: Record<string, string>): Promise<RunningBot> {
  return startBot(loadConfig({ PORT: '0', HOST: '127.0.0.1', ...env }), quiet);
}

/** Walks the closed-centre request to its summary and sends it. */
async function confirmHelpdeskRequest(chat: HttpConversation) {
  await chat.say('hi');
  await chat.choose('centreClosed');
  await chat.choose('helpdeskRequest');
  await chat.answer('fullName', 'Ana García');
  await chat.answer('exam', 'B2 First');
  await chat.answer('examDate', '14/06/2025');
  await chat.answer('centreName', 'Centro Madrid');
  await chat.answer('email', 'ana@example.org');
  await chat.answer('idNumber', 'ABC123456');
  await chat.answer('secretNumber', '1234');
  expect(chat.last?.trace?.expecting).toBe('confirm');
  return chat.choose('send', 'helpdeskRequest');
}

describe('an account service slower than a turn', () => {
  let redis: RedisServer;
  let reference: RunningAccountService;
  let slow: Awaited<ReturnType<typeof slowService>>;
  beforeAll(async () => {
    redis = await RedisServer.start();
    reference = await startAccountService(
      { port: 0, host: '127.0.0.1', token: TOKEN, accountsFile: path.join(ROOT, 'demo', 'accounts.json') },
      quiet,
    );
    slow = await slowService(reference.url);
  });
  afterAll(async () => {
    await slow.close();
    await reference.close();
    await redis.stop();
  });

  it('files one helpdesk request for a confirmation retried on another instance, and shows its reference', async () => {
    const env = {
      REDIS_URL: redis.url,
      ACCOUNT_SERVICE_URL: slow.url,
      ACCOUNT_SERVICE_TOKEN: TOKEN,
      STATE_ENCRYPTION_KEY: 'slow-service-state-key-'.repeat(2),
    };
    slow.delay = 10_000;
    const first = await bot(env);
    const failed = await confirmHelpdeskRequest(new HttpConversation(first.url, 'slow-helpdesk'));
    expect(failed.trace?.state).toBe('helpdeskRequest.failed');
    await first.close();

    // The candidate presses Try again; the service is quick again, and another instance takes the turn.
    slow.delay = 0;
    const second = await bot(env);
    try {
      const chat = new HttpConversation(second.url, 'slow-helpdesk');
      chat.last = failed;
      const retried = await chat.choose('retry', form('helpdeskRequest').outcomes.created!);
      await slow.settled();
      const filed = await reference.accounts.helpdeskRequests();
      const keys = new Set(
        slow.arrived.filter((each) => each.path === '/v1/helpdesk-requests').map((each) => each.key),
      );
      expect({ keys: keys.size, filed: filed.length }).toEqual({ keys: 1, filed: 1 });
      expect(retried.text).toContain(filed[0]!.reference);
    } finally {
      await second.close();
    }
  });
});

describe('an account service that never answers', () => {
  it('is not called after the turn has given up on it', async () => {
    const arrivals: number[] = [];
    const silent = await ScriptedAccountService.start(() => {
      arrivals.push(Date.now());
      return undefined;
    });
    const running = await bot({ ACCOUNT_SERVICE_URL: silent.url, ACCOUNT_SERVICE_TOKEN: silent.token });
    try {
      const chat = new HttpConversation(running.url, 'never-answers');
      await chat.say('hi');
      await chat.choose('forgotPassword');
      await chat.choose('passwordReset');
      const asked = Date.now();
      const failed = await chat.answer('idNumber', 'ABC123456');
      const answered = Date.now();
      expect(failed.trace?.state).toBe('passwordReset.failed');
      // Long enough for the client's every attempt and backoff, had it gone on after the turn.
      await sleep(8000);
      expect(arrivals.length).toBeGreaterThan(0);
      const late = arrivals.filter((at) => at > answered + 500).map((at) => at - asked);
      expect({ turnMs: answered - asked, late }).toEqual({ turnMs: expect.any(Number), late: [] });
    } finally {
      await running.close();
      await silent.close();
    }
  });
});
