export type LockStatus =
  | { status: 'locked'; lockedUntil: Date }
  | { status: 'unlocked' }
  | { status: 'unverified' }
  /** Too many checks for this ID number, this conversation or this person; try again later. */
  | { status: 'limited'; retryAfterSeconds: number };

export type ResetOutcome = { status: 'accepted' } | { status: 'limited'; retryAfterSeconds: number };

export interface LockStatusQuery {
  idNumber: string;
  secretNumber: string;
}

export interface PasswordResetRequest {
  idNumber: string;
}

export interface HelpdeskRequest {
  fullName: string;
  exam: string;
  /** YYYY-MM-DD */
  examDate: string;
  centreName: string;
  /** An address the candidate can read now, for the helpdesk's answer; kept with the request, no longer. */
  email: string;
  idNumber: string;
  secretNumber: string;
  /** Two-letter language the candidate used, so the helpdesk can answer in it. */
  locale: string;
}

/** Calls that change something carry a key; the same key twice has the effect of one call. */
export interface CallOptions {
  idempotencyKey: string;
  /** An opaque id of the conversation, for per-conversation limits. */
  conversationId?: string;
  /** Aborted when the caller stops waiting: no attempt starts, and none goes on, after that. */
  signal?: AbortSignal;
  /** An opaque, stable key of the person asking, for limits across their conversations. */
  requester?: string;
}

/**
 * The account service the bot calls for the article's self-service steps, always over HTTP
 * (httpAccountService.ts); without ACCOUNT_SERVICE_URL that is the reference service, started in-process.
 */
export interface AccountService {
  /** Lock state is only told to someone who knows both numbers; otherwise "unverified". */
  checkLockStatus(query: LockStatusQuery, options?: Partial<CallOptions>): Promise<LockStatus>;
  /** Accepted whether or not the account exists; the email goes only to the registered address. */
  requestPasswordReset(request: PasswordResetRequest, options: CallOptions): Promise<ResetOutcome>;
  createHelpdeskRequest(request: HelpdeskRequest, options: CallOptions): Promise<{ reference: string }>;
}
