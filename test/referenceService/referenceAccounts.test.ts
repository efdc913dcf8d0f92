import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { inMemoryAccounts, LIMITS, LOCK_MINUTES, loadAccounts } from '../../src/referenceService/referenceAccounts';
import { ROOT } from '../support/helpers';
import { tempFolder } from '../support/tempFolders';

function clock(start = '2026-03-10T09:00:00Z') {
  let now = new Date(start);
  return {
    now: () => now,
    advance(minutes: number) {
      now = new Date(now.getTime() + minutes * 60_000);
    },
  };
}

const account = { idNumber: 'ABC123456', secretNumber: '1234', email: 'open@example.org', password: 'right' };
const key = (n: number) => ({ idempotencyKey: `key-${n}` });

describe('the reference account service rules', () => {
  it('locks an account for 30 minutes after 3 wrong passwords in a row, and the bot can see it', async () => {
    const time = clock();
    const service = inMemoryAccounts([account], time.now);
    expect(await service.signIn('ABC123456', 'wrong')).toBe('wrongPassword');
    expect(await service.signIn('ABC123456', 'wrong')).toBe('wrongPassword');
    expect(await service.checkLockStatus({ idNumber: 'ABC123456', secretNumber: '1234' })).toEqual({
      status: 'unlocked',
    });
    expect(await service.signIn('ABC123456', 'wrong')).toBe('locked');
    expect(await service.checkLockStatus({ idNumber: 'abc123456', secretNumber: '1234' })).toEqual({
      status: 'locked',
      lockedUntil: new Date('2026-03-10T09:30:00Z'),
    });
    // Even the right password waits out the lock.
    time.advance(LOCK_MINUTES - 1);
    expect(await service.signIn('ABC123456', 'right')).toBe('locked');
    time.advance(1);
    expect(await service.checkLockStatus({ idNumber: 'ABC123456', secretNumber: '1234' })).toEqual({
      status: 'unlocked',
    });
    expect(await service.signIn('ABC123456', 'right')).toBe('signedIn');
  });

  it('starts the count again after a successful sign-in', async () => {
    const service = inMemoryAccounts([account], clock().now);
    await service.signIn('ABC123456', 'wrong');
    await service.signIn('ABC123456', 'wrong');
    expect(await service.signIn('ABC123456', 'right')).toBe('signedIn');
    await service.signIn('ABC123456', 'wrong');
    expect(await service.signIn('ABC123456', 'wrong')).toBe('wrongPassword');
  });

  it('tells the lock state only to someone with both numbers; wrong secret numbers never lock an account', async () => {
    const service = inMemoryAccounts([{ ...account, lockedUntil: '2026-03-10T09:20:00Z' }], clock().now);
    expect(await service.checkLockStatus({ idNumber: 'ABC123456', secretNumber: '9999' })).toEqual({
      status: 'unverified',
    });
    expect(await service.checkLockStatus({ idNumber: 'NOPE00000', secretNumber: '1234' })).toEqual({
      status: 'unverified',
    });
    expect((await service.checkLockStatus({ idNumber: 'ABC123456', secretNumber: '1234' })).status).toBe('locked');

    const open = inMemoryAccounts([account], clock().now);
    for (let attempt = 0; attempt < 4; attempt++)
      await open.checkLockStatus({ idNumber: 'ABC123456', secretNumber: '0000' });
    expect(await open.signIn('ABC123456', 'right')).toBe('signedIn');
  });

  it('allows 5 lock checks per ID number per hour, for unknown ID numbers too', async () => {
    const time = clock('2026-03-10T09:10:00Z');
    const service = inMemoryAccounts([account], time.now);
    for (const idNumber of ['ABC123456', 'UNKNOWN99']) {
      for (let attempt = 0; attempt < LIMITS.lockChecksPerIdPerHour; attempt++) {
        expect((await service.checkLockStatus({ idNumber, secretNumber: '1234' })).status).not.toBe('limited');
      }
      expect(await service.checkLockStatus({ idNumber, secretNumber: '1234' })).toEqual({
        status: 'limited',
        retryAfterSeconds: 50 * 60,
      });
    }
    time.advance(50);
    expect(await service.checkLockStatus({ idNumber: 'ABC123456', secretNumber: '1234' })).toEqual({
      status: 'unlocked',
    });
  });

  it('allows 5 lock checks per conversation per hour, whatever the ID numbers', async () => {
    const service = inMemoryAccounts([account], clock().now);
    for (let attempt = 0; attempt < LIMITS.lockChecksPerConversationPerHour; attempt++) {
      await service.checkLockStatus(
        { idNumber: `TRY00000${attempt}`, secretNumber: '1234' },
        { conversationId: 'chat-1' },
      );
    }
    expect(
      (await service.checkLockStatus({ idNumber: 'ABC123456', secretNumber: '1234' }, { conversationId: 'chat-1' }))
        .status,
    ).toBe('limited');
    expect(
      (await service.checkLockStatus({ idNumber: 'ABC123456', secretNumber: '1234' }, { conversationId: 'chat-2' }))
        .status,
    ).toBe('unlocked');
  });

  it('sends one reset email per request key, and none for an unknown ID', async () => {
    const service = inMemoryAccounts([account], clock().now);
    expect(await service.requestPasswordReset({ idNumber: 'ABC123456' }, key(1))).toEqual({ status: 'accepted' });
    expect(await service.requestPasswordReset({ idNumber: 'ABC123456' }, key(1))).toEqual({ status: 'accepted' });
    expect(await service.requestPasswordReset({ idNumber: 'UNKNOWN99' }, key(2))).toEqual({ status: 'accepted' });
    expect((await service.sentEmails()).map((mail) => mail.to)).toEqual(['open@example.org']);
  });

  it('sends at most 1 reset email per ID number per 15 minutes and 3 per day, counting unknown IDs alike', async () => {
    const time = clock('2026-03-10T00:00:00Z');
    const service = inMemoryAccounts([account], time.now);
    let n = 0;
    for (const idNumber of ['ABC123456', 'UNKNOWN99']) {
      expect(await service.requestPasswordReset({ idNumber }, key(++n))).toEqual({ status: 'accepted' });
      expect(await service.requestPasswordReset({ idNumber }, key(++n))).toEqual({
        status: 'limited',
        retryAfterSeconds: 900,
      });
    }
    for (let round = 0; round < 2; round++) {
      time.advance(15);
      expect(await service.requestPasswordReset({ idNumber: 'ABC123456' }, key(++n))).toEqual({ status: 'accepted' });
    }
    time.advance(15);
    expect((await service.requestPasswordReset({ idNumber: 'ABC123456' }, key(n + 1))).status).toBe('limited');
    expect(await service.sentEmails()).toHaveLength(3);
  });

  it('gives each helpdesk request a reference, the same one when the same request is sent twice', async () => {
    const service = inMemoryAccounts([account], clock().now);
    const request = {
      fullName: 'Ana',
      exam: 'B2 First',
      examDate: '2025-06-14',
      centreName: 'C',
      email: 'ana@example.org',
      idNumber: 'ABC123456',
      secretNumber: '1234',
      locale: 'es',
    };
    const first = await service.createHelpdeskRequest(request, key(1));
    const again = await service.createHelpdeskRequest(request, key(1));
    const other = await service.createHelpdeskRequest(request, key(2));
    expect(again).toEqual(first);
    expect(other.reference).not.toBe(first.reference);
    expect(await service.helpdeskRequests()).toHaveLength(2);
  });

  it('reads the demo accounts shipped with the bot, one of them locked from start-up', async () => {
    const accounts = loadAccounts(path.join(ROOT, 'demo', 'accounts.json'));
    const time = clock();
    const service = inMemoryAccounts(accounts, time.now);
    const locked = accounts.find((entry) => entry.lockedForMinutes)!;
    expect(await service.checkLockStatus({ idNumber: locked.idNumber, secretNumber: locked.secretNumber })).toEqual({
      status: 'locked',
      lockedUntil: new Date(time.now().getTime() + locked.lockedForMinutes! * 60_000),
    });
  });

  it('names the file and the entry when the accounts file is wrong', () => {
    const folder = tempFolder('accounts-');
    const file = path.join(folder, 'accounts.json');
    writeFileSync(file, JSON.stringify([{ ...account, email: 'not-an-email' }]));
    expect(() => loadAccounts(file)).toThrow(`ACCOUNTS_FILE ${file}: entry 0.email`);
    writeFileSync(file, '[{');
    expect(() => loadAccounts(file)).toThrow(`ACCOUNTS_FILE ${file} could not be read as JSON`);
  });
});
