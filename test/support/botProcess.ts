import type { Activity } from 'botbuilder';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { ROOT } from './helpers';
import { activity } from './activities';

/** The bot as its own process, started the way npm start starts it (from source here). */
export class BotProcess {
  output = '';
  private constructor(
    readonly child: ChildProcess,
    readonly url: string,
  ) {}

  static async start(env: Record<string, string>): Promise<BotProcess> {
    const args = ['--disable-warning=DEP0111', '--import', 'tsx', path.join(ROOT, 'src', 'index.ts')];
    const child = spawn(process.execPath, args, {
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`the bot did not start: ${output}`));
      }, 20_000);
      const read = (chunk: Buffer) => {
        output += chunk;
        const match = /"url":"(http:\/\/[^"]+)\/api\/messages"/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      };
      child.stdout!.on('data', read);
      child.stderr!.on('data', read);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the bot exited with ${code}: ${output}`));
      });
    });
    const bot = new BotProcess(child, url);
    bot.output = output;
    child.stdout!.on('data', (chunk) => (bot.output += chunk));
    child.stderr!.on('data', (chunk) => (bot.output += chunk));
    return bot;
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.child.exitCode;
    this.child.kill(signal);
    const [code] = await once(this.child, 'exit');
    return code as number | null;
  }
}

let activityCounter = 0;

export interface Reply {
  status: number;
  activities: Array<Partial<Activity>>;
  text?: string;
  trace?: { topic: string; state: string; locale: string; expecting: string | null };
}

/** One message with expectReplies; `id` defaults to a fresh activity id. */
export async function send(
  url: string,
  conversation: string,
  text: string,
  id = `act-${process.pid}-${++activityCounter}`,
): Promise<Reply> {
  const response = await fetch(`${url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(activity(conversation, { id, text })),
  });
  const body = (await response.json()) as { activities?: Array<Partial<Activity>> };
  const activities = body.activities ?? [];
  const trace = activities.find((activity) => activity.type === 'trace')?.value;
  const text_ = activities.find((activity) => activity.type === 'message')?.text;
  return { status: response.status, activities, ...(text_ ? { text: text_ } : {}), ...(trace ? { trace } : {}) };
}
