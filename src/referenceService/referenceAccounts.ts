import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Logger } from '../logger';
import type {
  AccountService,
  CallOptions,
  HelpdeskRequest,
  LockStatus,
  LockStatusQuery,
  PasswordResetRequest,
  ResetOutcome,
} from '../accountService/accountService';
import { MemoryAccountStore, type AccountStore, type FiledRequest, type SentEmail, type StoredAccount } from './store';

/** The site's rule: this many wrong passwords in a row lock the account… */
export const MAX_FAILED_SIGN_INS = 3;
/** …for this long. */
export const LOCK_MINUTES = 30;

/** Limits, as the contract states them. */
export const LIMITS = {
  lockChecksPerIdPerHour: 5,
  lockChecksPerConversationPerHour: 5,
  /** One person trying many ID numbers from many conversations. */
  lockChecksPerRequesterPerHour: 10,
  resetsPerIdPer15Minutes: 1,
  resetsPerIdPerDay: 3,
} as const;

const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;
/** Queued reset emails go out this long after a request, in batches of this many. */
const RESET_SEND_DELAY_MS = 100;
const RESET_BATCH = 100;

/** A call that changes something, as the HTTP server passes it on. */
export interface IdempotentCall extends CallOptions {
  /** What the key is bound to: the endpoint and a keyed hash of the body (the server computes it). */
  request?: string;
}

/** The key was first used for another request (another body or endpoint); it will not do this one. */
export class IdempotencyKeyReused extends Error {
  override name = 'IdempotencyKeyReused';
}

/** The first request with this key is still being processed; ask again shortly. */
export class IdempotencyKeyInProgress extends Error {
  override name = 'IdempotencyKeyInProgress';
}

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
    throw new Error(`ACCOUNTS_FILE ${file} could not be read as JSON: ${(error as Error).message}`, { cause: error });
  }
  const parsed = z.array(demoAccountSchema).safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`ACCOUNTS_FILE ${file}: entry ${issue.path.join('.')} ${issue.message}`);
  }
  return parsed.data;
}

export type SignInResult = 'signedIn' | 'wrongPassword' | 'locked';

/**
 * A secret number as the service keeps it: an HMAC with the service's key, bound to the ID number. Secret numbers
 * are 4 digits, so a plain hash would be undone by trying all 10,000; without the key, this cannot be.
 */
export function secretHash(key: Buffer, idNumber: string, secretNumber: string): string {
  return createHmac('sha256', key)
    .update(`${normalizeId(idNumber)}\u0000${secretNumber}`)
    .digest('base64url');
}

/** Accounts from an accounts file as the store keeps them; `lockedForMinutes` counts from `now`. */
export function storedAccounts(accounts: readonly DemoAccount[], now: Date, key: Buffer): StoredAccount[] {
  return accounts.map((account) => {
    const lockedUntil = account.lockedForMinutes
      ? new Date(now.getTime() + account.lockedForMinutes * 60_000).toISOString()
      : account.lockedUntil
        ? new Date(account.lockedUntil).toISOString()
        : undefined;
    return {
      idNumber: normalizeId(account.idNumber),
      secretHash: secretHash(key, account.idNumber, account.secretNumber),
      email: account.email,
      password: account.password,
      failedAttempts: account.failedAttempts ?? 0,
      ...(lockedUntil ? { lockedUntil } : {}),
    };
  });
}

/** The reference service over an in-memory store, seeded at once: for the preview and for tests. */
export function inMemoryAccounts(
  accounts: readonly DemoAccount[],
  now: () => Date = () => new Date(),
  logger?: Logger,
): ReferenceAccounts {
  const key = randomBytes(32);
  return new ReferenceAccounts(
    new MemoryAccountStore(() => now().getTime(), storedAccounts(accounts, now(), key)),
    key,
    now,
    logger,
  );
}

/** "c***@example.org": enough for an operator to recognise, not enough to harvest. */
export function maskEmail(email: string): string {
  const [local = '', domain = ''] = email.split('@');
  return `${local.slice(0, 1)}***@${domain}`;
}

/**
 * The reference account service: the article's rules over an AccountStore. Lock state only for someone
 * with both numbers; a wrong secret number never counts towards the sign-in lock; limits on checks and
 * emails counted for unknown ID numbers too; requests with the same idempotency key happen once.
 */
export class ReferenceAccounts implements AccountService {
  private sending: NodeJS.Timeout | undefined;
  private sendingRun: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: AccountStore,
    /** The key of the secret numbers' HMACs; from the environment, never stored with the data. */
    private readonly secretKey: Buffer,
    private readonly now: () => Date = () => new Date(),
    private readonly logger?: Logger,
  ) {}

  /** Adds the accounts of an accounts file (those already in the store keep their state). */
  async seed(accounts: readonly DemoAccount[]): Promise<void> {
    for (const account of storedAccounts(accounts, this.now(), this.secretKey)) await this.store.seedAccount(account);
  }

  /** The results site's sign-in, with its lock rule, so the lock the bot reports is real. */
  async signIn(idNumber: string, password: string): Promise<SignInResult> {
    const account = await this.store.getAccount(normalizeId(idNumber));
    if (!account) {
      sameText('\u0000', password);
      return 'wrongPassword';
    }
    if (this.lockedUntil(account)) return 'locked';
    if (sameText(account.password, password)) {
      await this.store.saveAccount({ ...account, failedAttempts: 0 });
      return 'signedIn';
    }
    const failedAttempts = account.failedAttempts + 1;
    if (failedAttempts >= MAX_FAILED_SIGN_INS) {
      const { lockedUntil: _expired, ...rest } = account;
      await this.store.saveAccount({
        ...rest,
        failedAttempts: 0,
        lockedUntil: new Date(this.now().getTime() + LOCK_MINUTES * 60_000).toISOString(),
      });
      return 'locked';
    }
    await this.store.saveAccount({ ...account, failedAttempts });
    return 'wrongPassword';
  }

  async checkLockStatus(query: LockStatusQuery, options?: Partial<CallOptions>): Promise<LockStatus> {
    const idNumber = normalizeId(query.idNumber);
    const limited = await this.overLimit([
      { bucket: `lock:id:${digest(idNumber)}`, seconds: 3600, most: LIMITS.lockChecksPerIdPerHour },
      ...(options?.conversationId
        ? [
            {
              bucket: `lock:conversation:${digest(options.conversationId)}`,
              seconds: 3600,
              most: LIMITS.lockChecksPerConversationPerHour,
            },
          ]
        : []),
      ...(options?.requester
        ? [
            {
              bucket: `lock:requester:${digest(options.requester)}`,
              seconds: 3600,
              most: LIMITS.lockChecksPerRequesterPerHour,
            },
          ]
        : []),
    ]);
    if (limited) return { status: 'limited', retryAfterSeconds: limited };
    const account = await this.store.getAccount(idNumber);
    // Compare against something even for an unknown ID, so both take the same path and time.
    const secretMatches = sameText(account?.secretHash ?? '', secretHash(this.secretKey, idNumber, query.secretNumber));
    if (!account || !secretMatches) return { status: 'unverified' };
    const lockedUntil = this.lockedUntil(account);
    return lockedUntil ? { status: 'locked', lockedUntil } : { status: 'unlocked' };
  }

  async requestPasswordReset(request: PasswordResetRequest, options: IdempotentCall): Promise<ResetOutcome> {
    return this.once(options.idempotencyKey, options.request ?? 'password-resets', async () => {
      const idNumber = normalizeId(request.idNumber);
      const limited = await this.overLimit([
        { bucket: `reset:15m:${digest(idNumber)}`, seconds: 900, most: LIMITS.resetsPerIdPer15Minutes },
        { bucket: `reset:day:${digest(idNumber)}`, seconds: 86_400, most: LIMITS.resetsPerIdPerDay },
      ]);
      if (limited) return { status: 'limited', retryAfterSeconds: limited } as ResetOutcome;
      // Queued for every ID alike and sent later: whether the account exists shows neither in the answer
      // nor in how long it takes.
      await this.store.queueReset({ idNumber, at: this.now().toISOString() });
      this.sendQueuedSoon();
      return { status: 'accepted' } as ResetOutcome;
    });
  }

  /**
   * Sends the queued reset emails to the accounts that exist; the others are dropped unsent. One run at a time
   * in this process, so a caller that waits for it sees every email queued before it called.
   */
  sendQueuedResets(): Promise<void> {
    const run = this.sendingRun.then(() => this.sendQueue());
    this.sendingRun = run.catch(() => undefined);
    return run;
  }

  private async sendQueue(): Promise<void> {
    for (;;) {
      const resets = await this.store.takeResets(RESET_BATCH);
      for (const reset of resets) {
        const account = await this.store.getAccount(reset.idNumber);
        if (!account) continue;
        await this.store.recordEmail({ to: account.email, idNumber: account.idNumber, at: reset.at });
        this.logger?.info({ to: maskEmail(account.email) }, 'password reset email sent');
      }
      if (resets.length < RESET_BATCH) return;
    }
  }

  async createHelpdeskRequest(request: HelpdeskRequest, options: IdempotentCall): Promise<{ reference: string }> {
    return this.once(options.idempotencyKey, options.request ?? 'helpdesk-requests', async () => {
      const reference = newReference();
      const { secretNumber, ...rest } = request;
      const idNumber = normalizeId(request.idNumber);
      await this.store.recordRequest({
        ...rest,
        idNumber,
        // The helpdesk compares it with the account's, which is kept the same way.
        secretHash: secretHash(this.secretKey, idNumber, secretNumber),
        reference,
        at: this.now().toISOString(),
      });
      this.logger?.info({ reference }, 'helpdesk request filed');
      return { reference };
    });
  }

  /** The reset emails "sent" (the reference service's outbox), once those still queued have gone out. */
  async sentEmails(): Promise<SentEmail[]> {
    await this.sendQueuedResets();
    return this.store.emails();
  }

  helpdeskRequests(): Promise<FiledRequest[]> {
    return this.store.requests();
  }

  /** Whether the request with this reference was filed with this secret number (for the helpdesk, and tests). */
  async filedWithSecret(reference: string, secretNumber: string): Promise<boolean> {
    const request = (await this.store.requests()).find((each) => each.reference === reference);
    return Boolean(request && sameText(request.secretHash, secretHash(this.secretKey, request.idNumber, secretNumber)));
  }

  async close(): Promise<void> {
    if (this.sending) clearTimeout(this.sending);
    this.sending = undefined;
    await this.sendQueuedResets().catch(() => undefined);
    await this.store.close();
  }

  /** Sends the queue a moment later, off the request's path; one timer at a time. */
  private sendQueuedSoon(): void {
    if (this.sending) return;
    this.sending = setTimeout(() => {
      this.sending = undefined;
      this.sendQueuedResets().catch((error: unknown) =>
        this.logger?.error({ err: error }, 'queued password reset emails could not be sent'),
      );
    }, RESET_SEND_DELAY_MS).unref();
  }

  private lockedUntil(account: StoredAccount): Date | undefined {
    if (!account.lockedUntil) return undefined;
    const until = new Date(account.lockedUntil);
    return until.getTime() > this.now().getTime() ? until : undefined;
  }

  /**
   * Counts this request against each limit (fixed windows); when one is exceeded the request is refused,
   * its counts taken back (a refused request does not use up the allowance), and the wait returned.
   */
  private async overLimit(
    limits: Array<{ bucket: string; seconds: number; most: number }>,
  ): Promise<number | undefined> {
    const now = this.now().getTime();
    // The limits are counted side by side (one round trip to the store, not one each).
    const hits = await Promise.all(
      limits.map(async (limit) => {
        // The window's start is part of the key, so windows follow the clock (9:00–10:00), not the first request.
        const windowStart = Math.floor(now / (limit.seconds * 1000)) * limit.seconds * 1000;
        const key = `${limit.bucket}|${windowStart}`;
        const { count } = await this.store.limits.hit(key, limit.seconds * 1000);
        const over = count > limit.most;
        return { key, wait: over ? Math.ceil((windowStart + limit.seconds * 1000 - now) / 1000) : undefined };
      }),
    );
    const waits = hits.flatMap((hit) => (hit.wait === undefined ? [] : [hit.wait]));
    const wait = waits.length > 0 ? Math.max(...waits) : undefined;
    if (wait !== undefined) await Promise.all(hits.map((hit) => this.store.limits.unhit(hit.key)));
    return wait;
  }

  /**
   * Runs the effect once per key, for the request the key was first used for; a repeat gets the first answer
   * (waiting briefly if it is still being produced), another request with the key is refused. A refusal for
   * a limit is not kept: once the limit has passed, the same key is processed.
   */
  private async once<T>(key: string, request: string, effect: () => Promise<T>): Promise<T> {
    const storeKey = digest(key);
    if (await this.store.claim(storeKey, request, IDEMPOTENCY_TTL_SECONDS)) {
      try {
        const answer = await effect();
        if (isLimited(answer)) await this.store.release(storeKey);
        else
          await this.store.saveAnswer(storeKey, { request, answer: JSON.stringify(answer) }, IDEMPOTENCY_TTL_SECONDS);
        return answer;
      } catch (error) {
        await this.store.release(storeKey);
        throw error;
      }
    }
    for (let attempt = 0; attempt < 40; attempt++) {
      const claim = await this.store.claimed(storeKey);
      if (claim?.request !== undefined && claim.request !== request)
        throw new IdempotencyKeyReused('This idempotency key was used for another request');
      if (claim?.answer) return JSON.parse(claim.answer) as T;
      // Released meanwhile (the first request failed or was limited): this one may run.
      if (!claim) return this.once(key, request, effect);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new IdempotencyKeyInProgress('A request with this idempotency key is still in progress');
  }
}

function isLimited(answer: unknown): boolean {
  return typeof answer === 'object' && answer !== null && 'status' in answer && answer.status === 'limited';
}

export function normalizeId(idNumber: string): string {
  return idNumber.replace(/\s+/g, '').toUpperCase();
}

/** Keys in the store never hold an ID number or a conversation id in clear. */
function digest(text: string): string {
  return createHash('sha256').update(text).digest('base64url').slice(0, 22);
}

function sameText(expected: string, given: string): boolean {
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(given).digest();
  return timingSafeEqual(a, b) && expected === given;
}

/** HD- and 8 characters from an alphabet without look-alikes (no 0/O, 1/I/L). */
function newReference(): string {
  const alphabet = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
  const bytes = randomBytes(8);
  let code = '';
  for (const byte of bytes) code += alphabet[byte % alphabet.length];
  return `HD-${code.slice(0, 4)}-${code.slice(4)}`;
}
