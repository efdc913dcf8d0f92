import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { once } from 'node:events';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { loadConfig } from '../../src/config';
import type { FormNode } from '../../src/content/dialogSchema';
import { startBot, type RunningBot } from '../../src/index';
import { createLogger } from '../../src/logger';
import { content, english, ROOT } from '../support/helpers';
import { DEMO_LOCK_MINUTES, expectMinutesLeft, readLockMessage } from '../support/lockMessage';
import { HttpConversation, postActivity, type Turn } from '../support/httpConversation';
import { tempFolder } from '../support/tempFolders';

/** The canary: an account whose numbers must never show up in anything the process logs. */
const CANARY = {
  idNumber: 'CNRY48151',
  secretNumber: '6297',
  email: 'canary.candidate@example.org',
  password: 'canary-password',
};
/** The address a candidate gives for the helpdesk's answer: shown masked, never logged. */
const CANDIDATE_EMAIL = 'canary.answer@example.org';

function accountsFile(): string {
  const folder = tempFolder('accounts-');
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

/** Opens a conversation (at the dialog's start) with the given fields on every activity. */
async function open(bot: RunningBot, name: string, fields: Record<string, unknown> = {}): Promise<HttpConversation> {
  const chat = new HttpConversation(bot.url, name, fields);
  const first = await chat.say('hi');
  expect(first.trace?.state).toBe(content().dialog.start);
  return chat;
}

/** From the start to the lock check's first question, by the buttons' values. */
async function toTheLockCheck(chat: HttpConversation): Promise<void> {
  await chat.choose('lockout');
  await chat.choose('lockoutCheck');
  expect(chat.last!.trace!.expecting).toBe('idNumber');
}

async function lockCheck(
  bot: RunningBot,
  name: string,
  idNumber: string,
  secretNumber: string,
  fields: Record<string, unknown> = {},
): Promise<Turn> {
  const chat = await open(bot, name, fields);
  await toTheLockCheck(chat);
  await chat.answer('idNumber', idNumber);
  return chat.answer('secretNumber', secretNumber);
}

async function resetRequest(
  bot: RunningBot,
  name: string,
  idNumber: string,
  fields: Record<string, unknown> = {},
): Promise<Turn> {
  const chat = await open(bot, name, fields);
  await chat.choose('forgotPassword');
  await chat.choose('passwordReset');
  return chat.answer('idNumber', idNumber);
}

describe('what the bot reveals, and what it logs', () => {
  const lines: string[] = [];
  // No timestamps, pids or host names: a four-digit canary must not meet a number by chance.
  const logger = pino(
    { level: 'trace', timestamp: false, base: {} },
    new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) }),
  );
  let bot: RunningBot;
  beforeAll(async () => {
    bot = await startBot(loadConfig({ PORT: '0', HOST: '127.0.0.1', ACCOUNTS_FILE: accountsFile() }), logger);
  });
  afterAll(async () => bot.close());

  it('gives byte-identical answers for an unknown ID number and a wrong secret number', async () => {
    const sameUser = { from: { id: 'candidate-a' } };
    const unknown = await lockCheck(bot, 'unknown-id', 'NOBODY999', '6297', sameUser);
    const wrongSecret = await lockCheck(bot, 'wrong-secret', CANARY.idNumber, '0000', sameUser);
    expect(unknown.trace!.state).toBe('lockoutUnverified');
    expect(wrongSecret.seen).toBe(unknown.seen);
  });

  it('answers resets for an existing and an unknown ID number byte-identically; emails only the real one', async () => {
    const sameUser = { from: { id: 'candidate-b' } };
    const known = await resetRequest(bot, 'reset-known', 'ABC123456', sameUser);
    const unknown = await resetRequest(bot, 'reset-unknown', 'NOBODY998', sameUser);
    expect(known.trace!.state).toBe('passwordResetSent');
    expect(unknown.seen).toBe(known.seen);
    expect((await bot.embeddedAccountService!.accounts.sentEmails()).map((email) => email.to)).toEqual([
      'open@example.org',
    ]);
  });

  it('sends one email when the channel delivers the same activity twice at once, and answers it once', async () => {
    const chat = await open(bot, 'redelivered');
    await chat.choose('forgotPassword');
    await chat.choose('passwordReset');
    expect(chat.last!.trace!.expecting).toBe('idNumber');
    const before = (await bot.embeddedAccountService!.accounts.sentEmails()).length;
    const once = { id: 'same-activity-id', text: CANARY.idNumber };
    const [first, second] = await Promise.all([
      postActivity(bot.url, 'redelivered', once),
      postActivity(bot.url, 'redelivered', once),
    ]);
    const answered = [first, second].filter((turn) => turn.activities.length > 0);
    expect(answered).toHaveLength(1);
    expect(answered[0]!.trace!.state).toBe('passwordResetSent');
    expect((await bot.embeddedAccountService!.accounts.sentEmails()).length).toBe(before + 1);
  });

  it('asks for ID and secret numbers only in a private chat on Teams', async () => {
    // In a group chat the bot only hears messages that @mention it.
    const mention = { type: 'mention', mentioned: { id: 'bot', name: 'Helpdesk' }, text: '<at>Helpdesk</at>' };
    const group = {
      channelId: 'msteams',
      conversation: { id: 'team-chat', conversationType: 'groupChat' },
      entities: [mention],
    };
    const inGroup = await open(bot, 'team-chat', group);
    await inGroup.choose('lockout');
    const reply = await inGroup.send({ value: { choice: 'lockoutCheck', state: 'lockout' } });
    // On Teams the text is on the reply's Adaptive Card.
    expect(JSON.stringify(reply.message!.attachments![0].content)).toContain(english('common:privateOnly'));
    expect(reply.trace).toMatchObject({ state: 'lockout', expecting: null });
    const personal = await open(bot, 'one-to-one', {
      channelId: 'msteams',
      conversation: { id: 'one-to-one', conversationType: 'personal' },
    });
    await toTheLockCheck(personal);
  });

  it('never logs the canary ID number or secret number, whatever flow they go through', async () => {
    const { idNumber, secretNumber } = CANARY;
    expect((await lockCheck(bot, 'canary-1', idNumber, secretNumber)).trace!.state).toBe('lockoutLocked');
    // Sent, or sent recently when another test already asked for this ID's email: either way the form ran.
    const resetOutcomes = Object.values((content().dialog.nodes.passwordReset as FormNode).outcomes);
    expect(resetOutcomes).toContain((await resetRequest(bot, 'canary-2', idNumber.toLowerCase())).trace!.state);

    const form = await open(bot, 'canary-3');
    await form.choose('centreClosed');
    await form.choose('helpdeskRequest');
    const answers = {
      fullName: 'Ana Canary',
      exam: 'B2 First',
      examDate: '14/06/2025',
      centreName: 'Centro',
      email: CANDIDATE_EMAIL,
      idNumber,
      secretNumber,
    };
    for (const [slot, text] of Object.entries(answers)) await form.answer(slot, text);
    expect(form.last!.trace!.expecting).toBe('confirm');
    await form.choose('send', 'helpdeskRequestSent');

    // Typed where they were not asked for, and pasted into a question that expects something else.
    const typed = await open(bot, 'canary-4');
    await typed.say(`my id is ${idNumber} and secret ${secretNumber}`);
    await typed.send({ value: { goto: 'lockout' } });
    await typed.choose('lockoutCheck');
    await typed.answer('idNumber', `${idNumber} ${secretNumber}`);

    const log = lines.join('');
    expect(lines.length).toBeGreaterThan(20);
    expect(log).toContain('"msg":"turn"');
    for (const secret of [idNumber, idNumber.toLowerCase(), secretNumber, CANARY.email, CANDIDATE_EMAIL])
      expect(log).not.toContain(secret);
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
    bot = await startBot(
      loadConfig({
        PORT: '0',
        HOST: '127.0.0.1',
        ACCOUNT_SERVICE_URL: url,
        ACCOUNT_SERVICE_TOKEN: 'irrelevant-token-for-a-silent-service',
      }),
      createLogger('silent'),
    );
  });
  afterAll(async () => {
    await bot.close();
    for (const socket of sockets) socket.destroy();
    silent.close();
  });

  it('answers the turn within about 4 s, with the manual way from the article and a way to try again', async () => {
    const chat = await open(bot, 'hanging');
    await toTheLockCheck(chat);
    await chat.answer('idNumber', 'ABC123456');
    const asked = Date.now();
    const reply = await chat.answer('secretNumber', '1234');
    const waited = Date.now() - asked;
    // The README promises an answer "within about 4 s" of a silent service: the limit is kept (not shorter),
    // and not much longer either (the client's own retries would give up only after about 9 s).
    expect(waited).toBeGreaterThanOrEqual(3_900);
    expect(waited).toBeLessThan(8_000);
    expect(reply.trace).toMatchObject({ state: 'lockoutCheck.failed' });
    expect(reply.text).toContain("Sorry, I can't check your account right now.");
    expect(reply.text).toContain('Ctrl + Shift + Del');
    const titles = reply.message!.suggestedActions!.actions.map((action: { title: string }) => action.title);
    expect(titles).toEqual(['Try again', 'Main menu']);
  });
});

describe('a separately run account service (npm run account-service)', () => {
  let child: ChildProcess;
  let bot: RunningBot;
  const token = 'separate-service-token-0123456789';
  let serviceStarted: number;
  beforeAll(async () => {
    serviceStarted = Date.now();
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
    bot = await startBot(
      loadConfig({ PORT: '0', HOST: '127.0.0.1', ACCOUNT_SERVICE_URL: url, ACCOUNT_SERVICE_TOKEN: token }),
      createLogger('silent'),
    );
  });
  afterAll(async () => {
    await bot.close();
    child.kill('SIGTERM');
    await once(child, 'exit');
  });

  it('serves the bot the same way as the embedded one', async () => {
    const reply = await lockCheck(bot, 'separate', 'SIR094701', '8482');
    expect(reply.trace!.state).toBe('lockoutLocked');
    const { lockedUntil, minutes } = readLockMessage(reply.text, 'en');
    // No time zone from this channel: the reply says how many minutes are left, not a clock time in UTC.
    expect(lockedUntil).toBeUndefined();
    expectMinutesLeft(minutes, DEMO_LOCK_MINUTES, serviceStarted);
    expect(bot.embeddedAccountService).toBeUndefined();
  });
});
