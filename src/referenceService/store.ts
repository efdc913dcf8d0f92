import type { HelpdeskRequest } from '../accountService/accountService';
import { MemoryWindowCounter, type WindowCounter } from '../state/rateLimit';

/** An account as the reference service keeps it. */
export interface StoredAccount {
  idNumber: string;
  /** The secret number as an HMAC (see `secretHash`), never in clear. */
  secretHash: string;
  email: string;
  password: string;
  failedAttempts: number;
  /** ISO 8601; absent when not locked. */
  lockedUntil?: string;
}

/** A password reset asked for, waiting to be sent (or dropped, when the ID has no account). */
export interface QueuedReset {
  idNumber: string;
  at: string;
}

export interface SentEmail {
  to: string;
  idNumber: string;
  at: string;
}

/** A helpdesk request as filed, with its reference; its secret number kept as an HMAC only. */
export type FiledRequest = Omit<HelpdeskRequest, 'secretNumber'> & {
  secretHash: string;
  reference: string;
  at: string;
};

/** How long a filed helpdesk request is kept: long enough for the helpdesk to act on it, then gone. */
export const HELPDESK_REQUEST_TTL_SECONDS = 30 * 86_400;

/** Where the reference account service keeps its data: in memory, or in Redis to share it between instances. */
export interface AccountStore {
  getAccount(idNumber: string): Promise<StoredAccount | undefined>;
  saveAccount(account: StoredAccount): Promise<void>;
  /** Adds an account unless one with that ID number is already stored. */
  seedAccount(account: StoredAccount): Promise<void>;
  /** The counts behind the contract's limits. */
  readonly limits: WindowCounter;
  /** Claims an idempotency key for this request (its endpoint and body); false when it was already claimed. */
  claim(key: string, request: string, ttlSeconds: number): Promise<boolean>;
  /** What a claimed key was claimed for, and its answer once the first request has produced it. */
  claimed(key: string): Promise<Claim | undefined>;
  saveAnswer(key: string, claim: Required<Claim>, ttlSeconds: number): Promise<void>;
  /** Gives up a claim whose request failed, so a retry with the same key can run. */
  release(key: string): Promise<void>;
  /** Queues a reset, whether or not the ID has an account: the request's work is the same either way. */
  queueReset(reset: QueuedReset): Promise<void>;
  /** Takes up to `most` queued resets off the queue, oldest first. */
  takeResets(most: number): Promise<QueuedReset[]>;
  recordEmail(email: SentEmail): Promise<void>;
  emails(): Promise<SentEmail[]>;
  recordRequest(request: FiledRequest): Promise<void>;
  requests(): Promise<FiledRequest[]>;
  close(): Promise<void>;
}

/** What an idempotency key is bound to: the request it was first used for, and that request's answer. */
export interface Claim {
  /** The endpoint and a keyed hash of the body; absent on claims stored before keys were bound. */
  request?: string;
  answer?: string;
}

interface Expiring<T> {
  value: T;
  expiresAt: number;
}

/** The embedded default: everything in this process, gone on restart. */
export class MemoryAccountStore implements AccountStore {
  private readonly accounts = new Map<string, StoredAccount>();
  private readonly claims = new Map<string, Expiring<Claim>>();
  private readonly queued: QueuedReset[] = [];
  private readonly sent: SentEmail[] = [];
  private readonly filed: Array<Expiring<FiledRequest>> = [];
  readonly limits: WindowCounter;

  constructor(
    private readonly now: () => number = Date.now,
    seed: readonly StoredAccount[] = [],
  ) {
    this.limits = new MemoryWindowCounter(now);
    for (const account of seed) this.accounts.set(account.idNumber, { ...account });
  }

  async getAccount(idNumber: string) {
    const account = this.accounts.get(idNumber);
    return account ? { ...account } : undefined;
  }

  async saveAccount(account: StoredAccount) {
    this.accounts.set(account.idNumber, { ...account });
  }

  async seedAccount(account: StoredAccount) {
    const stored = this.accounts.get(account.idNumber);
    this.accounts.set(account.idNumber, stored ? { ...stored, secretHash: account.secretHash } : { ...account });
  }

  async claim(key: string, request: string, ttlSeconds: number) {
    if (this.live(this.claims, key) !== undefined) return false;
    this.claims.set(key, { value: { request }, expiresAt: this.now() + ttlSeconds * 1000 });
    return true;
  }

  async claimed(key: string) {
    const claim = this.live(this.claims, key);
    return claim ? { ...claim } : undefined;
  }

  async saveAnswer(key: string, claim: Required<Claim>, ttlSeconds: number) {
    this.claims.set(key, { value: { ...claim }, expiresAt: this.now() + ttlSeconds * 1000 });
  }

  async release(key: string) {
    this.claims.delete(key);
  }

  async queueReset(reset: QueuedReset) {
    this.queued.push({ ...reset });
  }

  async takeResets(most: number) {
    return this.queued.splice(0, most);
  }

  async recordEmail(email: SentEmail) {
    this.sent.push(email);
  }

  async emails() {
    return [...this.sent];
  }

  async recordRequest(request: FiledRequest) {
    this.filed.push({ value: request, expiresAt: this.now() + HELPDESK_REQUEST_TTL_SECONDS * 1000 });
  }

  async requests() {
    const now = this.now();
    this.filed.splice(0, this.filed.length, ...this.filed.filter((entry) => entry.expiresAt > now));
    return this.filed.map((entry) => entry.value);
  }

  async close() {}

  private live<T>(map: Map<string, Expiring<T>>, key: string): T | undefined {
    const entry = map.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      map.delete(key);
      return undefined;
    }
    return entry.value;
  }
}
