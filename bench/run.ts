/**
 * `npm run bench`: the helpdesk bot, a botbuilder-dialogs waterfall peer and a bare echo bot (the framework's
 * floor) on the same restify + CloudAdapter + Redis storage, driven side by side with the same load of real
 * turns (expectReplies), each in its own process. Prints turns/s, latency percentiles, Redis bytes per
 * conversation (all its keys), RSS, start-up time and the ratios against the targets. Not a test: figures,
 * not assertions.
 *
 * The waterfall peer (bench/waterfallBot.ts: the same tree written with botbuilder-dialogs, a dev dependency)
 * runs beside them when that package is installed; it is not a dependency of the bot.
 *
 * Then the cost of recording insights: the helpdesk bot with insights on and off, side by side, and the ratio
 * (BENCH_ONLY=insights runs only that).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createRedis } from '../src/state/redisConnection';
import { freePort, RedisServer } from '../test/support/redisServer';
import { activity } from '../test/support/activities';

const ROOT = path.resolve(__dirname, '..');
const CONVERSATIONS = Number(process.env.BENCH_CONVERSATIONS ?? 50);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);

/** Realistic walks through the tree; each conversation repeats its walk, starting over each time. */
const WALKS = [
  [
    'hi',
    '6',
    '1',
    'Ana García',
    'B2 First',
    '14/06/2025',
    'Centro Madrid',
    'ana@example.org',
    'ABC123456',
    '1234',
    'start over',
  ],
  ['hi', '2', '1', 'RANDOMID', '1234', 'start over'],
  ['hi', '3', "The email hasn't arrived", 'How do I contact my exam centre?', 'start over'],
  ['hi', '1', "I can't find my ID number", 'back', 'menu'],
];

interface Server {
  name: string;
  child: ChildProcess;
  url: string;
  coldStartMs: number;
}

async function startServer(
  name: string,
  args: string[],
  env: Record<string, string>,
  readyPath = '/readyz',
  port?: number,
): Promise<Server> {
  port ??= await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = performance.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}`);
    if (performance.now() > deadline) throw new Error(`${name} did not become ready`);
    const ready = await fetch(`${url}${readyPath}`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) break;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return { name, child, url, coldStartMs: performance.now() - started };
}

/** Clock ticks per second of /proc's CPU times. */
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** CPU time (user and system, milliseconds) the process has used so far. */
function cpuMs(pid: number): number {
  // After "pid (name) ", utime and stime are the 12th and 13th fields.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}

function memory(pid: number): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) / 1024;
  return { rssMb: field('VmRSS'), peakMb: field('VmHWM') };
}

let counter = 0;
async function turn(url: string, conversation: string, text: string): Promise<number> {
  const id = `bench-${++counter}`;
  const body = JSON.stringify(
    activity(conversation, { id, text: text === 'RANDOMID' ? `BEN${String(counter).padStart(6, '0')}` : text }),
  );
  const started = performance.now();
  const response = await fetch(`${url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
  return performance.now() - started;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

interface Run {
  turns: number;
  turnsPerSecond: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
}

/** Closed loop: every conversation sends its next turn as soon as the last one is answered. */
async function closedLoop(server: Server, prefix: string): Promise<Run> {
  const latencies: number[] = [];
  let errors = 0;
  const deadline = performance.now() + SECONDS * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONVERSATIONS }, async (_, n) => {
      const walk = WALKS[n % WALKS.length]!;
      for (let step = 0; performance.now() < deadline; step++) {
        try {
          latencies.push(await turn(server.url, `${prefix}-${n}`, walk[step % walk.length]!));
        } catch {
          errors += 1;
        }
      }
    }),
  );
  return summarise(latencies, errors, performance.now() - started);
}

/** Open loop at a fixed rate spread over the conversations: latency when the bot is not saturated. */
async function fixedRate(
  server: Server,
  prefix: string,
  perSecond: number,
  byMessage?: Map<string, number[]>,
): Promise<Run> {
  const latencies: number[] = [];
  let errors = 0;
  const interval = (1000 * CONVERSATIONS) / perSecond;
  const deadline = performance.now() + SECONDS * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONVERSATIONS }, async (_, n) => {
      const walk = WALKS[n % WALKS.length]!;
      await new Promise((resolve) => setTimeout(resolve, (interval * n) / CONVERSATIONS));
      for (let step = 0; performance.now() < deadline; step++) {
        const due = performance.now() + interval;
        const text = walk[step % walk.length]!;
        try {
          const ms = await turn(server.url, `${prefix}-${n}`, text);
          latencies.push(ms);
          if (byMessage) {
            const key = `${(n % WALKS.length) + 1}.${(step % walk.length) + 1} ${text}`;
            const list = byMessage.get(key) ?? [];
            list.push(ms);
            byMessage.set(key, list);
          }
        } catch {
          errors += 1;
        }
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())));
      }
    }),
  );
  return summarise(latencies, errors, performance.now() - started);
}

function summarise(latencies: number[], errors: number, elapsedMs: number): Run {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    turns: latencies.length,
    turnsPerSecond: (latencies.length / elapsedMs) * 1000,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    errors,
  };
}

/** Redis bytes per conversation: every key the bot keeps under its prefix, over the conversations stored. */
async function stateBytes(redisUrl: string, prefix: string): Promise<number> {
  const redis = createRedis({ url: redisUrl });
  await redis.connect();
  let bytes = 0;
  let conversations = 0;
  let cursor = '0';
  do {
    const [next, found] = (await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000)) as [string, string[]];
    cursor = next;
    for (const key of found) {
      bytes += Number(await redis.memory('USAGE', key));
      if (/:state:\{[^}]*\/conversations\//.test(key)) conversations += 1;
    }
  } while (cursor !== '0');
  redis.disconnect();
  return conversations ? bytes / conversations : 0;
}

interface Bot {
  name: string;
  args: string[];
  /** The key prefix of its state in Redis. */
  prefix: string;
}

const TSX = ['--disable-warning=DEP0111', '--import', 'tsx'];

/** The reference account service in its own process, on the bench's Redis. */
async function startAccountService(redisUrl: string): Promise<Server & { token: string }> {
  const port = await freePort();
  const token = randomBytes(24).toString('base64url');
  const server = await startServer(
    'account service',
    ['--disable-warning=DEP0111', 'dist/referenceService/app.js'],
    { ACCOUNT_SERVICE_PORT: String(port), ACCOUNT_SERVICE_TOKEN: token, REDIS_URL: redisUrl },
    '/healthz',
    port,
  );
  return { ...server, token };
}

/**
 * The cost of recording insights: the helpdesk bot with insights on (as it runs by default) and with
 * INSIGHTS=off, each its own process on the same Redis (and account service), peak runs alternating, the best
 * of ROUNDS kept; CPU per turn over all the peak runs beside it.
 */
async function insightsCost(redisUrl: string, helpdeskEnv: Record<string, string>): Promise<string[]> {
  const variants: Array<{ name: string; env: Record<string, string> }> = [
    { name: 'insights on', env: {} },
    { name: 'insights off', env: { INSIGHTS: 'off' } },
  ];
  const servers: Server[] = [];
  for (const variant of variants)
    servers.push(
      await startServer(variant.name, ['--disable-warning=DEP0111', 'dist/index.js'], {
        REDIS_URL: redisUrl,
        ...helpdeskEnv,
        ...variant.env,
      }),
    );
  for (const [index, server] of servers.entries()) await closedLoop(server, `warm-insights-${index}`);
  const runs: Run[][] = servers.map(() => []);
  const cpu = servers.map(() => ({ ms: 0, turns: 0 }));
  for (let round = 0; round < ROUNDS; round++)
    for (const [index, server] of servers.entries()) {
      const before = cpuMs(server.child.pid!);
      const run = await closedLoop(server, `insights-${index}-${round}`);
      cpu[index]!.ms += cpuMs(server.child.pid!) - before;
      cpu[index]!.turns += run.turns;
      runs[index]!.push(run);
    }
  for (const server of servers) {
    server.child.kill('SIGTERM');
    await once(server.child, 'exit');
  }
  const [on, off] = runs.map(
    (each) => each.reduce((a, b) => (b.turnsPerSecond > a.turnsPerSecond ? b : a)).turnsPerSecond,
  ) as [number, number];
  const [cpuOn, cpuOff] = cpu.map(({ ms, turns }) => (turns ? ms / turns : 0)) as [number, number];
  const cost = 1 - on / off;
  return [
    `insights: peak turns/s with recording ${on.toFixed(1)} /s, without ${off.toFixed(1)} /s, ` +
      `ratio ${(on / off).toFixed(3)}`,
    `  CPU per turn (peak runs): with recording ${cpuOn.toFixed(2)} ms, without ${cpuOff.toFixed(2)} ms`,
    `  by round: on ${runs[0]!.map((run) => run.turnsPerSecond.toFixed(0)).join(', ')}; ` +
      `off ${runs[1]!.map((run) => run.turnsPerSecond.toFixed(0)).join(', ')}`,
    `  recording costs <= 5 % turns/s . ${(cost * 100).toFixed(1)} %  ${cost <= 0.05 ? 'met' : 'MISSED'}`,
  ];
}

async function main(): Promise<void> {
  const redis = await RedisServer.start();
  // BENCH_CPU_PROFILE=<folder>: each bot of the peak runs writes a CPU profile in <folder>/<bot> when it stops.
  const profileDir = process.env.BENCH_CPU_PROFILE;
  const profile = (bot: Bot) => (profileDir ? ['--cpu-prof', '--cpu-prof-dir', path.join(profileDir, bot.prefix)] : []);
  const withPeer = existsSync(path.join(ROOT, 'node_modules', 'botbuilder-dialogs'));
  const bots: Bot[] = [
    { name: 'helpdesk', args: ['--disable-warning=DEP0111', 'dist/index.js'], prefix: 'helpdesk' },
    ...(withPeer ? [{ name: 'waterfall', args: [...TSX, 'bench/waterfallBot.ts'], prefix: 'waterfall' }] : []),
    { name: 'echo floor', args: [...TSX, 'bench/echoBot.ts'], prefix: 'echo' },
  ];
  // The account service runs on its own, as it does in production (ACCOUNT_SERVICE_URL): the figures are the
  // bot's. BENCH_ACCOUNT_SERVICE=embedded measures the bot with the reference service in its own process.
  const accountService =
    process.env.BENCH_ACCOUNT_SERVICE === 'embedded' ? undefined : await startAccountService(redis.url);
  const helpdeskEnv: Record<string, string> = accountService
    ? { ACCOUNT_SERVICE_URL: accountService.url, ACCOUNT_SERVICE_TOKEN: accountService.token }
    : {};
  const stop = async () => {
    if (accountService) {
      accountService.child.kill('SIGTERM');
      await once(accountService.child, 'exit');
    }
    await redis.stop();
  };
  // BENCH_ONLY=insights: only the cost of recording insights (on and off side by side).
  if (process.env.BENCH_ONLY === 'insights') {
    process.stdout.write(`${(await insightsCost(redis.url, helpdeskEnv)).join('\n')}\n`);
    await stop();
    return;
  }
  const servers: Server[] = [];
  for (const bot of bots) {
    const helpdesk = bot.name === 'helpdesk';
    const args = [...profile(bot), ...bot.args];
    servers.push(await startServer(bot.name, args, { REDIS_URL: redis.url, ...(helpdesk ? helpdeskEnv : {}) }));
  }

  // Warm up all, then measure peak throughput side by side, alternating, ROUNDS times; the best round of each.
  for (const server of servers) await closedLoop(server, 'warm');
  // CPU per turn: the CPU time each bot's process used over all its peak runs, over the turns it answered. Unlike
  // turns/s, it hardly depends on what else the machine is running.
  const peaks: Run[][] = servers.map(() => []);
  const cpu = servers.map(() => ({ ms: 0, turns: 0, redisMs: 0 }));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [index, server] of servers.entries()) {
      const before = cpuMs(server.child.pid!);
      const redisBefore = cpuMs(redis.pid!);
      const run = await closedLoop(server, `peak${round}`);
      cpu[index]!.ms += cpuMs(server.child.pid!) - before;
      cpu[index]!.redisMs += cpuMs(redis.pid!) - redisBefore;
      cpu[index]!.turns += run.turns;
      peaks[index]!.push(run);
    }
  }
  const cpuPerTurn = cpu.map(({ ms, turns }) => (turns ? ms / turns : 0));
  // Redis's own CPU per turn: on one machine, the redis-server's work takes a core's time from the bot's.
  const redisCpuPerTurn = cpu.map(({ redisMs, turns }) => (turns ? redisMs / turns : 0));
  const best = (runs: Run[]) => runs.reduce((a, b) => (b.turnsPerSecond > a.turnsPerSecond ? b : a));
  const peak = peaks.map(best);
  const halfRate = peak[0]!.turnsPerSecond / 2;
  const half: Run[] = [];
  // BENCH_DETAIL=1: the helpdesk's latency at half peak by message of the walks, slowest p99 first.
  const byMessage = process.env.BENCH_DETAIL ? new Map<string, number[]>() : undefined;
  for (const [index, server] of servers.entries())
    half.push(await fixedRate(server, 'half', halfRate, index === 0 ? byMessage : undefined));

  const memories = servers.map((server) => memory(server.child.pid!));
  for (const server of servers) {
    server.child.kill('SIGTERM');
    await once(server.child, 'exit');
  }

  // 1,000 live conversations on fresh instances (the peak runs above leave the heap grown).
  const liveRss: number[] = [];
  const liveErrors: number[] = [];
  for (const bot of bots) {
    const fresh = await startServer(`${bot.name} (fresh)`, bot.args, {
      REDIS_URL: redis.url,
      ...(bot.name === 'helpdesk' ? helpdeskEnv : {}),
    });
    let failed = 0;
    for (let start = 0; start < 1000; start += 50) {
      await Promise.all(
        Array.from({ length: 50 }, (_, n) =>
          turn(fresh.url, `live-${start + n}`, 'hi')
            .then(() => turn(fresh.url, `live-${start + n}`, '6'))
            .catch(() => (failed += 1)),
        ),
      );
    }
    liveRss.push(memory(fresh.child.pid!).rssMb);
    liveErrors.push(failed);
    fresh.child.kill('SIGTERM');
    await once(fresh.child, 'exit');
  }
  const bytes: number[] = [];
  for (const bot of bots) bytes.push(await stateBytes(redis.url, bot.prefix));

  // Columns: each bot, then helpdesk / echo floor and, with the peer, helpdesk / waterfall.
  const floor = bots.length - 1;
  const cell = (value: number, unit: string, digits: number) => `${value.toFixed(digits)} ${unit}`.padStart(16);
  const row = (label: string, values: number[], unit: string, digits = 1) =>
    label.padEnd(34) +
    values.map((value) => cell(value, unit, digits)).join('') +
    (values[0]! / values[floor]!).toFixed(2).padStart(12) +
    (withPeer ? (values[0]! / values[1]!).toFixed(2).padStart(12) : '');
  const turnsRatio = peak[0]!.turnsPerSecond / peak[floor]!.turnsPerSecond;
  const peerRatio = withPeer ? peak[0]!.turnsPerSecond / peak[1]!.turnsPerSecond : 0;
  const coldStartMs = servers[0]!.coldStartMs;
  const met = (target: boolean) => (target ? 'met' : 'MISSED');
  const lines = [
    `${CONVERSATIONS} concurrent conversations, ${SECONDS} s per run, Redis state, ` +
      `expectReplies over HTTP (node ${process.version})`,
    '',
    ''.padEnd(34) +
      bots.map((bot) => bot.name.padStart(16)).join('') +
      '/ floor'.padStart(12) +
      (withPeer ? '/ waterfall'.padStart(12) : ''),
    row(
      'peak turns/s',
      peak.map((run) => run.turnsPerSecond),
      '/s',
    ),
    row(
      'peak p50 latency',
      peak.map((run) => run.p50),
      'ms',
      2,
    ),
    row(
      'peak p95 latency',
      peak.map((run) => run.p95),
      'ms',
      2,
    ),
    row(
      'peak p99 latency',
      peak.map((run) => run.p99),
      'ms',
      2,
    ),
    row(
      `p50 at ${halfRate.toFixed(0)}/s (half of peak)`,
      half.map((run) => run.p50),
      'ms',
      2,
    ),
    row(
      `p95 at ${halfRate.toFixed(0)}/s`,
      half.map((run) => run.p95),
      'ms',
      2,
    ),
    row(
      `p99 at ${halfRate.toFixed(0)}/s`,
      half.map((run) => run.p99),
      'ms',
      2,
    ),
    row('CPU per turn (peak runs)', cpuPerTurn, 'ms', 2),
    row("redis-server's CPU per turn", redisCpuPerTurn, 'ms', 2),
    row('Redis bytes per conversation', bytes, 'B', 0),
    row(
      'peak RSS',
      memories.map((m) => m.peakMb),
      'MB',
    ),
    row(
      'RSS after the peak runs',
      memories.map((m) => m.rssMb),
      'MB',
    ),
    row('RSS, fresh, 1,000 live conversations', liveRss, 'MB'),
    row(
      'cold start to ready',
      servers.map((server) => server.coldStartMs),
      'ms',
      0,
    ),
    `errors: ${bots.map((bot, index) => `${bot.name} ${peak[index]!.errors + half[index]!.errors}`).join(', ')}` +
      ` (1,000 live: ${bots.map((bot, index) => `${bot.name} ${liveErrors[index]}`).join(', ')})`,
    '',
    `peak turns/s by round: ${bots
      .map((bot, index) => `${bot.name} ${peaks[index]!.map((run) => run.turnsPerSecond.toFixed(0)).join(', ')}`)
      .join('; ')}`,
    '',
    'targets:',
    `  turns/s >= 0.9 x floor ........ ${turnsRatio.toFixed(2)} x  ${met(turnsRatio >= 0.9)}` +
      `  (CPU per turn: ${(cpuPerTurn[0]! / cpuPerTurn[floor]!).toFixed(2)} x the floor's)`,
    withPeer
      ? `  turns/s >= 1.25 x waterfall ... ${peerRatio.toFixed(2)} x  ${met(peerRatio >= 1.25)}` +
        `  (CPU per turn: ${(cpuPerTurn[0]! / cpuPerTurn[1]!).toFixed(2)} x the waterfall's)`
      : '  turns/s >= 1.25 x waterfall peer: not measured (botbuilder-dialogs is not installed)',
    `  state <= 1 KB / conversation .. ${bytes[0]!.toFixed(0)} B  ${met(bytes[0]! <= 1024)}`,
    `  p99 <= 50 ms at half peak ..... ${half[0]!.p99.toFixed(1)} ms  ${met(half[0]!.p99 <= 50)}`,
    `  RSS <= floor + 40 MB, 1,000 ... ${(liveRss[0]! - liveRss[floor]!).toFixed(0)} MB over  ` +
      met(liveRss[0]! - liveRss[floor]! <= 40),
    `  ready <= 1 s .................. ${(coldStartMs / 1000).toFixed(2)} s  ${met(coldStartMs <= 1000)}`,
  ];
  if (byMessage) {
    lines.push('', `helpdesk at ${halfRate.toFixed(0)}/s, by message of the walks (slowest p99 first):`);
    const rows = [...byMessage].map(([message, latencies]) => ({ message, ...summarise(latencies, 0, 1) }));
    for (const { message, turns, p50, p99 } of rows.sort((a, b) => b.p99 - a.p99)) {
      const figures = `p50 ${p50.toFixed(1)} ms  p99 ${p99.toFixed(1)} ms`;
      lines.push(`  ${message.slice(0, 50).padEnd(52)}${String(turns).padStart(6)}  ${figures}`);
    }
  }
  lines.push('', ...(await insightsCost(redis.url, helpdeskEnv)));
  process.stdout.write(`${lines.join('\n')}\n`);
  await stop();
}

main().catch((error: Error) => {
  process.stderr.write(`${error.stack ?? error.message}\n`);
  process.exit(1);
});
