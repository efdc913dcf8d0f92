import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { InMemoryAccountService, LOCK_MINUTES, loadAccounts } from '../../src/services/inMemoryAccountService';
import { ROOT } from '../helpers';

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
const key = (n: number) => ({ idempotencyKey: `k${n}` });

describe('the embedded account service', () => {
  it('locks an account for 30 minutes after 3 wrong passwords in a row, and the bot can see it', async () => {
    const time = clock();
    const service = new InMemoryAccountService([account], time.now);
    expect(service.signIn('ABC123456', 'wrong')).toBe('wrongPassword');
    expect(service.signIn('ABC123456', 'wrong')).toBe('wrongPassword');
    expect(await service.checkLockStatus({ idNumber: 'ABC123456', secretNumber: '1234' })).toEqual({ status: 'unlocked' });
    expect(service.signIn('ABC123456', 'wrong')).toBe('locked');
    expect(await service.checkLockStatus({ idNumber: 'abc123456', secretNumber: '1234' })).toEqual({
      status: 'locked',
      lockedUntil: new Date('2026-03-10T09:30:00Z'),
    });
    // Even the right password waits out the lock.
    time.advance(LOCK_MINUTES - 1);
    expect(service.signIn('ABC123456', 'right')).toBe('locked');
    time.advance(1);
    expect(await service.checkLockStatus({ idNumber: 'ABC123456', secretNumber: '1234' })).toEqual({ status: 'unlocked' });
    expect(service.signIn('ABC123456', 'right')).toBe('signedIn');
  });

  it('starts the count again after a successful sign-in', () => {
    const service = new InMemoryAccountService([account], clock().now);
    service.signIn('ABC123456', 'wrong');
    service.signIn('ABC123456', 'wrong');
    expect(service.signIn('ABC123456', 'right')).toBe('signedIn');
    service.signIn('ABC123456', 'wrong');
    expect(service.signIn('ABC123456', 'wrong')).toBe('wrongPassword');
  });

  it('tells the lock state only to someone with both numbers', async () => {
    const service = new InMemoryAccountService([{ ...account, lockedUntil: '2026-03-10T09:20:00Z' }], clock().now);
    expect(await service.checkLockStatus({ idNumber: 'ABC123456', secretNumber: '9999' })).toEqual({ status: 'unverified' });
    expect(await service.checkLockStatus({ idNumber: 'NOPE00000', secretNumber: '1234' })).toEqual({ status: 'unverified' });
    expect((await service.checkLockStatus({ idNumber: 'ABC123456', secretNumber: '1234' })).status).toBe('locked');
  });

  it('sends one reset email per request key, and none for an unknown ID', async () => {
    const service = new InMemoryAccountService([account], clock().now);
    await service.requestPasswordReset({ idNumber: 'ABC123456' }, key(1));
    await service.requestPasswordReset({ idNumber: 'ABC123456' }, key(1));
    await service.requestPasswordReset({ idNumber: 'UNKNOWN99' }, key(2));
    expect(service.outbox.map((mail) => mail.to)).toEqual(['open@example.org']);
  });

  it('gives each helpdesk request a reference, the same one when the same request is sent twice', async () => {
    const service = new InMemoryAccountService([account], clock().now);
    const request = { fullName: 'Ana', exam: 'B2 First', examDate: '2025-06-14', centreName: 'C', idNumber: 'ABC123456', secretNumber: '1234', locale: 'es' };
    const first = await service.createHelpdeskRequest(request, key(1));
    const again = await service.createHelpdeskRequest(request, key(1));
    const other = await service.createHelpdeskRequest(request, key(2));
    expect(again).toEqual(first);
    expect(other.reference).not.toBe(first.reference);
    expect(service.helpdeskRequests).toHaveLength(2);
  });

  it('reads the demo accounts shipped with the bot, one of them locked from start-up', async () => {
    const accounts = loadAccounts(path.join(ROOT, 'demo', 'accounts.json'));
    const time = clock();
    const service = new InMemoryAccountService(accounts, time.now);
    const locked = accounts.find((entry) => entry.lockedForMinutes)!;
    expect(await service.checkLockStatus({ idNumber: locked.idNumber, secretNumber: locked.secretNumber })).toEqual({
      status: 'locked',
      lockedUntil: new Date(time.now().getTime() + locked.lockedForMinutes! * 60_000),
    });
  });

  it('names the file and the entry when the accounts file is wrong', () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'accounts-'));
    const file = path.join(folder, 'accounts.json');
    writeFileSync(file, JSON.stringify([{ ...account, email: 'not-an-email' }]));
    expect(() => loadAccounts(file)).toThrow(`ACCOUNTS_FILE ${file}: entry 0.email`);
    writeFileSync(file, '[{');
    expect(() => loadAccounts(file)).toThrow(`ACCOUNTS_FILE ${file} could not be read as JSON`);
  });
});
