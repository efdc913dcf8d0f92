import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type {
  AccountService,
  CallOptions,
  HelpdeskRequest,
  LockStatus,
  LockStatusQuery,
  PasswordResetRequest,
} from './accountService';

/** The site's rule: this many wrong passwords in a row lock the account… */
export const MAX_FAILED_SIGN_INS = 3;
/** …for this long. */
export const LOCK_MINUTES = 30;

const demoAccountSchema = z.strictObject({
  idNumber: z.string().min(1),
  secretNumber: z.string().min(1),
  email: z.email(),
  password: z.string().min(1),
  failedAttempts: z.number().int().min(0).optional(),
  lockedUntil: z.iso.datetime({ offset: true }).optional(),
  /** Demo convenience: locked for this many minutes from start-up. */
  lockedForMinutes: z.number().positive().optional(),
});

export type DemoAccount = z.infer<typeof demoAccountSchema>;

/** Reads the accounts file; the error names the file and the entry that is wrong. */
export function loadAccounts(file: string): DemoAccount[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`ACCOUNTS_FILE ${file} could not be read as JSON: ${(error as Error).message}`);
  }
  const parsed = z.array(demoAccountSchema).safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`ACCOUNTS_FILE ${file}: entry ${issue.path.join('.')} ${issue.message}`);
  }
  return parsed.data;
}

interface Account {
  idNumber: string;
  secretNumber: string;
  email: string;
  password: string;
  failedAttempts: number;
  lockedUntil?: Date;
}

export interface SentEmail {
  to: string;
  idNumber: string;
  at: Date;
}

export type SignInResult = 'signedIn' | 'wrongPassword' | 'locked';

/**
 * The embedded account service: demo accounts in memory, the article's lock rule, password-reset
 * emails collected in an outbox, helpdesk requests kept with a generated reference.
 */
export class InMemoryAccountService implements AccountService {
  private readonly accounts = new Map<string, Account>();
  private readonly done = new Map<string, unknown>();
  readonly outbox: SentEmail[] = [];
  readonly helpdeskRequests: Array<HelpdeskRequest & { reference: string; at: Date }> = [];

  constructor(
    accounts: readonly DemoAccount[],
    private readonly now: () => Date = () => new Date(),
  ) {
    const start = this.now().getTime();
    for (const account of accounts) {
      const lockedUntil = account.lockedForMinutes
        ? new Date(start + account.lockedForMinutes * 60_000)
        : account.lockedUntil
          ? new Date(account.lockedUntil)
          : undefined;
      this.accounts.set(normalizeId(account.idNumber), {
        idNumber: normalizeId(account.idNumber),
        secretNumber: account.secretNumber,
        email: account.email,
        password: account.password,
        failedAttempts: account.failedAttempts ?? 0,
        ...(lockedUntil ? { lockedUntil } : {}),
      });
    }
  }

  /** The results site's sign-in, with its lock rule, so the lock the bot reports is real. */
  signIn(idNumber: string, password: string): SignInResult {
    const account = this.accounts.get(normalizeId(idNumber));
    if (!account) return 'wrongPassword';
    if (this.lockedUntil(account)) return 'locked';
    if (sameText(account.password, password)) {
      account.failedAttempts = 0;
      return 'signedIn';
    }
    account.failedAttempts += 1;
    if (account.failedAttempts >= MAX_FAILED_SIGN_INS) {
      account.failedAttempts = 0;
      account.lockedUntil = new Date(this.now().getTime() + LOCK_MINUTES * 60_000);
      return 'locked';
    }
    return 'wrongPassword';
  }

  async checkLockStatus(query: LockStatusQuery): Promise<LockStatus> {
    const account = this.accounts.get(normalizeId(query.idNumber));
    // Compare against something even for an unknown ID, so both take the same path.
    const secretMatches = sameText(account?.secretNumber ?? '\u0000\u0000\u0000\u0000', query.secretNumber);
    if (!account || !secretMatches) return { status: 'unverified' };
    const lockedUntil = this.lockedUntil(account);
    return lockedUntil ? { status: 'locked', lockedUntil } : { status: 'unlocked' };
  }

  async requestPasswordReset(request: PasswordResetRequest, options: CallOptions): Promise<void> {
    this.once(options.idempotencyKey, () => {
      const account = this.accounts.get(normalizeId(request.idNumber));
      if (account) this.outbox.push({ to: account.email, idNumber: account.idNumber, at: this.now() });
      return undefined;
    });
  }

  async createHelpdeskRequest(request: HelpdeskRequest, options: CallOptions): Promise<{ reference: string }> {
    return this.once(options.idempotencyKey, () => {
      const reference = newReference();
      this.helpdeskRequests.push({ ...request, reference, at: this.now() });
      return { reference };
    });
  }

  private lockedUntil(account: Account): Date | undefined {
    if (account.lockedUntil && account.lockedUntil.getTime() > this.now().getTime()) return account.lockedUntil;
    return undefined;
  }

  private once<T>(key: string, effect: () => T): T {
    if (this.done.has(key)) return this.done.get(key) as T;
    const result = effect();
    this.done.set(key, result);
    return result;
  }
}

function normalizeId(idNumber: string): string {
  return idNumber.replace(/\s+/g, '').toUpperCase();
}

function sameText(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** HD- and 8 characters from an alphabet without look-alikes (no 0/O, 1/I/L). */
function newReference(): string {
  const alphabet = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
  const bytes = randomBytes(8);
  let code = '';
  for (const byte of bytes) code += alphabet[byte % alphabet.length];
  return `HD-${code.slice(0, 4)}-${code.slice(4)}`;
}
