import type { RedisClient } from '../../src/state/redisConnection';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import path from 'node:path';
import { tempFolder } from './tempFolders';

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/** A real redis-server of the test's own, on a free port, that the test can stop and start again. */
export class RedisServer {
  private child: ChildProcess | undefined;

  private constructor(
    readonly port: number,
    /** Keeps data on disk (append-only file, synced on every write), so a restart brings it back. */
    private readonly dataDir?: string,
    private readonly extraArgs: string[] = [],
  ) {}

  static async start(options: { persistent?: boolean } = {}): Promise<RedisServer> {
    const server = new RedisServer(await freePort(), options.persistent ? tempFolder('redis-') : undefined);
    await server.resume();
    return server;
  }

  /**
   * A node for a local Redis Cluster. Its cluster bus gets a free port of its own: the default (port + 10000)
   * is past 65535 for much of the ephemeral range, or may be taken.
   */
  static async startClusterNode(): Promise<RedisServer> {
    const dir = tempFolder('redis-cluster-');
    const args = [
      '--cluster-enabled',
      'yes',
      '--cluster-port',
      String(await freePort()),
      '--cluster-config-file',
      path.join(dir, 'nodes.conf'),
      '--dir',
      dir,
    ];
    const server = new RedisServer(await freePort(), undefined, args);
    await server.resume();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** The redis-server's process id while it runs (the benchmark reads its CPU time). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  async resume(): Promise<void> {
    const persistence = this.dataDir
      ? ['--appendonly', 'yes', '--appendfsync', 'always', '--dir', this.dataDir]
      : ['--appendonly', 'no'];
    const child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', ...persistence, ...this.extraArgs],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child = child;
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${output}`)), 10_000);
      child.stdout!.on('data', (chunk) => {
        output += chunk;
        if (output.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited with ${code}: ${output}`));
      });
    });
  }

  /** Freezes the server (SIGSTOP): connections stay open and commands get no answer, as with a hung Redis. */
  freeze(): void {
    if (!this.child?.kill('SIGSTOP')) throw new Error('redis-server is not running');
  }

  thaw(): void {
    this.child?.kill('SIGCONT');
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    this.child = undefined;
    child.kill('SIGKILL');
    await once(child, 'exit');
  }
}

/** Every key and every value in Redis, read by type, as one text per key. */
export async function everything(redis: RedisClient): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'COUNT', 500);
    cursor = next;
    for (const key of keys) {
      const type = await redis.type(key);
      const value =
        type === 'string'
          ? await redis.get(key)
          : type === 'list'
            ? await redis.lrange(key, 0, -1)
            : type === 'hash'
              ? await redis.hgetall(key)
              : type === 'set'
                ? await redis.smembers(key)
                : type === 'zset'
                  ? await redis.zrange(key, 0, -1, 'WITHSCORES')
                  : type === 'stream'
                    ? await redis.xrange(key, '-', '+')
                    : `(${type})`;
      found.set(key, `${key} ${JSON.stringify(value)}`);
    }
  } while (cursor !== '0');
  return found;
}
