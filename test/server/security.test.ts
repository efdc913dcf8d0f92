import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { loadConfig } from '../../src/config';
import { startBot, type RunningBot } from '../../src/index';
import { createLogger } from '../../src/logger';
import { ROOT } from '../support/helpers';
import { activity } from '../support/activities';

/** The canary: an account whose numbers must never show up in anything the process logs. */
const CANARY = { idNumber: 'CNRY48151', secretNumber: '6297', email: 'canary.candidate@example.org', password: 'canary-password' };

function accountsFile(): string {
  const folder = mkdtempSync(path.join(tmpdir(), 'accounts-'));
  const file = path.join(folder, 'accounts.json');
  writeFileSync(
    file,
    JSON.stringify([
      { ...CANARY, lockedForMinutes: 12 },
      { idNumber: 'ABC123456', secretNumber: '1234', email: 'open@example.org', password: 'x' },
    ]),
  );
  return file;
}

let activityCounter = 0;
async function post(bot: RunningBot, conversation: string, fields: Record<string, unknown>, id = `activity-${++activityCounter}`) {
  const response = await fetch(`${bot.url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(activity(conversation, { id, ...fields })),
  });
  expect(response.status).toBe(200);
  const { activities } = (await response.json()) as { activities: Array<Record<string, any>> };
  const message = activities.find((activity) => activity.type === 'message')!;
  return { message, text: message.text as string, trace: activities.at(-1)!.value, json: JSON.stringify({ text: message.text, suggestedActions: message.suggestedActions }) };
}

/** Posts one message and returns whatever activities came back (none for a skipped redelivery). */
async function deliver(bot: RunningBot, conversation: string, text: string, id: string): Promise<Array<Record<string, any>>> {
  const response = await fetch(`${bot.url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(activity(conversation, { id, text })),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { activities: Array<Record<string, any>> }).activities;
}

async function walk(bot: RunningBot, conversation: string, texts: string[], fields: Record<string, unknown> = {}) {
  let last;
  for (const text of texts) last = await post(bot, conversation, { text, ...fields });
  return last!;
}

describe('what the bot reveals, and what it logs', () => {
  const lines: string[] = [];
  // No timestamps, pids or host names: a four-digit canary must not meet a number by chance.
  const logger = pino({ level: 'trace', timestamp: false, base: {} }, new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) }));
  let bot: RunningBot;
  beforeAll(async () => {
    bot = await startBot(loadConfig({ PORT: '0', HOST: '127.0.0.1', ACCOUNTS_FILE: accountsFile() }), logger);
  });
  afterAll(async () => bot.close());

  it('gives byte-identical answers for an unknown ID number and a wrong secret number', async () => {
    const check = ['hi', "I've been locked out", 'Check if my account is locked'];
    const sameUser = { from: { id: 'candidate-a' } };
    const unknown = await walk(bot, 'unknown-id', [...check, 'NOBODY999', '6297'], sameUser);
    const wrongSecret = await walk(bot, 'wrong-secret', [...check, CANARY.idNumber, '0000'], sameUser);
    expect(unknown.trace.state).toBe('lockoutUnverified');
    expect(wrongSecret.json).toBe(unknown.json);
  });

  it('gives byte-identical answers to a reset for an existing and an unknown ID number, and emails only the real one', async () => {
    const reset = ['hi', "I've forgotten my password", 'Send me the reset email'];
    const sameUser = { from: { id: 'candidate-b' } };
    const known = await walk(bot, 'reset-known', [...reset, 'ABC123456'], sameUser);
    const unknown = await walk(bot, 'reset-unknown', [...reset, 'NOBODY998'], sameUser);
    expect(known.trace.state).toBe('passwordResetSent');
    expect(unknown.json).toBe(known.json);
    expect((await bot.embeddedAccountService!.accounts.sentEmails()).map((email) => email.to)).toEqual(['open@example.org']);
  });

  it('sends one email when the channel delivers the same activity twice at once, and answers it once', async () => {
    await walk(bot, 'redelivered', ['hi', "I've forgotten my password", 'Send me the reset email']);
    const before = (await bot.embeddedAccountService!.accounts.sentEmails()).length;
    const [first, second] = await Promise.all([deliver(bot, 'redelivered', CANARY.idNumber, 'same-activity-id'), deliver(bot, 'redelivered', CANARY.idNumber, 'same-activity-id')]);
    const answered = [first, second].filter((activities) => activities.length > 0);
    expect(answered).toHaveLength(1);
    expect(answered[0]!.at(-1)!.value.state).toBe('passwordResetSent');
    expect((await bot.embeddedAccountService!.accounts.sentEmails()).length).toBe(before + 1);
  });

  it('asks for ID and secret numbers only in a private chat on Teams', async () => {
    // In a group chat the bot only hears messages that @mention it.
    const mention = { type: 'mention', mentioned: { id: 'bot', name: 'Helpdesk' }, text: '<at>Helpdesk</at>' };
    const group = { channelId: 'msteams', conversation: { id: 'team-chat', conversationType: 'groupChat' }, entities: [mention] };
    const reply = await walk(bot, 'team-chat', ['hi', "I've been locked out", 'Check if my account is locked'], group);
    // On Teams the text is on the reply's Adaptive Card.
    expect(JSON.stringify(reply.message.attachments[0].content)).toContain('For your security I only ask for ID and secret numbers in a private chat.');
    expect(reply.trace).toMatchObject({ state: 'lockout', expecting: null });
    const personal = { channelId: 'msteams', conversation: { id: 'one-to-one', conversationType: 'personal' } };
    const asked = await walk(bot, 'one-to-one', ['hi', "I've been locked out", 'Check if my account is locked'], personal);
    expect(asked.trace.expecting).toBe('idNumber');
  });

  it('never logs the canary ID number or secret number, whatever flow they go through', async () => {
    const { idNumber, secretNumber } = CANARY;
    await walk(bot, 'canary-1', ['hi', "I've been locked out", 'Check if my account is locked', idNumber, secretNumber]);
    await walk(bot, 'canary-2', ['hi', "I've forgotten my password", 'Send me the reset email', idNumber.toLowerCase()]);
    await walk(bot, 'canary-3', ['hi', 'My exam centre is closed', "Yes, let's do it", 'Ana Canary', 'B2 First', '14/06/2025', 'Centro', idNumber, secretNumber, 'Yes, send it']);
    // Typed where they were not asked for, and pasted into a question that expects something else.
    await walk(bot, 'canary-4', ['hi', `my id is ${idNumber} and secret ${secretNumber}`, "I've been locked out", 'Check if my account is locked', `${idNumber} ${secretNumber}`]);
    const log = lines.join('');
    expect(lines.length).toBeGreaterThan(20);
    expect(log).toContain('"msg":"turn"');
    for (const secret of [idNumber, idNumber.toLowerCase(), secretNumber, CANARY.email]) expect(log).not.toContain(secret);
  });
});

describe('when the account service does not answer', () => {
  let bot: RunningBot;
  const sockets = new Set<Socket>();
  const silent = createServer((socket) => void sockets.add(socket));
  beforeAll(async () => {
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    const url = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
    bot = await startBot(loadConfig({ PORT: '0', HOST: '127.0.0.1', ACCOUNT_SERVICE_URL: url, ACCOUNT_SERVICE_TOKEN: 'irrelevant-token-for-a-silent-service' }), createLogger('silent'));
  });
  afterAll(async () => {
    await bot.close();
    for (const socket of sockets) socket.destroy();
    silent.close();
  });

  it('still answers the turn, with the manual way from the article and a way to try again', async () => {
    const reply = await walk(bot, 'hanging', ['hi', "I've been locked out", 'Check if my account is locked', 'ABC123456', '1234']);
    expect(reply.trace).toMatchObject({ state: 'lockoutCheck.failed' });
    expect(reply.text).toContain("Sorry, I can't check your account right now.");
    expect(reply.text).toContain('Ctrl + Shift + Del');
    expect(reply.message.suggestedActions.actions.map((action: { title: string }) => action.title)).toEqual(['Try again', 'Main menu']);
  });
});

describe('a separately run account service (npm run account-service)', () => {
  let child: ChildProcess;
  let bot: RunningBot;
  const token = 'separate-service-token-0123456789';
  beforeAll(async () => {
    child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src', 'referenceService', 'app.ts')], {
      env: { ...process.env, ACCOUNT_SERVICE_PORT: '0', ACCOUNT_SERVICE_TOKEN: token },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`account service did not start: ${output}`)), 15000);
      child.stdout!.on('data', (chunk) => {
        output += chunk;
        const match = /"url":"(http:[^"]+)"/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
    });
    bot = await startBot(loadConfig({ PORT: '0', HOST: '127.0.0.1', ACCOUNT_SERVICE_URL: url, ACCOUNT_SERVICE_TOKEN: token }), createLogger('silent'));
  });
  afterAll(async () => {
    await bot.close();
    child.kill('SIGTERM');
    await once(child, 'exit');
  });

  it('serves the bot the same way as the embedded one', async () => {
    const reply = await walk(bot, 'separate', ['hi', "I've been locked out", 'Check if my account is locked', 'SIR094701', '8482']);
    expect(reply.trace.state).toBe('lockoutLocked');
    expect(reply.text).toMatch(/Your account is locked until \*\*\d\d:\d\d UTC\*\* — that's in 2[45] minutes\./);
    expect(bot.embeddedAccountService).toBeUndefined();
  });
});
