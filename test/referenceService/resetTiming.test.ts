import { writeFileSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { startAccountService, type RunningAccountService } from '../../src/referenceService/app';
import { createRedis, type RedisClient } from '../../src/state/redisConnection';
import { RedisServer } from '../support/redisServer';
import { tempFolder } from '../support/tempFolders';

const TOKEN = 'test-token-0123456789abcdef';
/** Requests of each kind: existing and unknown ID numbers, one reset each (the limits allow one per ID). */
const PER_KIND = 200;
const WARM_UP = 40;

const idOf = (kind: 'K' | 'U', index: number) => `${kind}TIME${String(index).padStart(5, '0')}`;

/** z of the difference of two means; the slowest 10 % of each kind dropped, as a shared machine's hiccups are. */
function zOfMeans(a: number[], b: number[]): number {
  const trimmed = (values: number[]) => [...values].sort((x, y) => x - y).slice(0, Math.floor(values.length * 0.9));
  const stats = (values: number[]) => {
    const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
    const variance = values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (values.length - 1);
    return { mean, variance, n: values.length };
  };
  const x = stats(trimmed(a));
  const y = stats(trimmed(b));
  return (x.mean - y.mean) / Math.sqrt(x.variance / x.n + y.variance / y.n);
}

describe('password reset timing, data in Redis', () => {
  let redis: RedisServer;
  let client: RedisClient;
  let service: RunningAccountService;

  beforeAll(async () => {
    const folder = tempFolder('reset-timing-');
    const accountsFile = path.join(folder, 'accounts.json');
    const accounts = Array.from({ length: PER_KIND + WARM_UP }, (_, index) => ({
      idNumber: idOf('K', index),
      secretNumber: '1234',
      email: `candidate${index}@example.org`,
      password: 'password-1',
    }));
    writeFileSync(accountsFile, JSON.stringify(accounts));
    redis = await RedisServer.start();
    client = createRedis({ url: redis.url });
    await client.connect();
    // A log written to a file, as a deployed service's is: the cost of logging counts.
    const logged = pino({ level: 'info' }, pino.destination({ dest: path.join(folder, 'service.log'), sync: true }));
    service = await startAccountService(
      { port: 0, host: '127.0.0.1', token: TOKEN, accountsFile, redis: client },
      logged,
    );
  });
  afterAll(async () => {
    await service.close();
    client.disconnect();
    await redis.stop();
  });

  /** One reset over HTTP; the time from sending to the whole answer, in microseconds. */
  async function timedReset(idNumber: string, key: string): Promise<number> {
    const started = process.hrtime.bigint();
    const response = await fetch(`${service.url}/v1/password-resets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}`, 'idempotency-key': key },
      body: JSON.stringify({ idNumber }),
    });
    await response.text();
    const micros = Number(process.hrtime.bigint() - started) / 1000;
    expect(response.status).toBe(202);
    return micros;
  }

  it('takes as long for an ID number that has no account as for one that has', async () => {
    for (let index = 0; index < WARM_UP; index++) {
      await timedReset(idOf('K', PER_KIND + index), `warm-known-${index}`);
      await timedReset(idOf('U', PER_KIND + index), `warm-unknown-${index}`);
    }
    const known: number[] = [];
    const unknown: number[] = [];
    // Alternating, and which kind goes first alternates too: drift on the machine falls on both alike.
    for (let index = 0; index < PER_KIND; index++) {
      const pair = [
        async () => known.push(await timedReset(idOf('K', index), `reset-known-${index}`)),
        async () => unknown.push(await timedReset(idOf('U', index), `reset-unknown-${index}`)),
      ];
      if (index % 2) pair.reverse();
      for (const run of pair) await run();
    }
    const z = zOfMeans(known, unknown);
    expect(Math.abs(z)).toBeLessThan(3);
    // Every known ID's email goes out all the same.
    const sent = await service.accounts.sentEmails();
    expect(sent).toHaveLength(PER_KIND + WARM_UP);
  }, 60_000);
});
