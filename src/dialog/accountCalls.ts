/**
 * The account-service calls a dialog form may make, with the answers each needs and the outcomes it can
 * end in. Dialog files name one in a form's `action:`; the bot supplies the implementations.
 */
export type ParamKind = 'text' | 'instant';

export interface AccountCallSpec {
  readonly inputs: readonly string[];
  readonly outcomes: readonly string[];
  /** Values the call returns that texts may show, and how to show them. */
  readonly params: Readonly<Record<string, ParamKind>>;
}

export const ACCOUNT_CALLS = {
  checkLockStatus: {
    inputs: ['idNumber', 'secretNumber'],
    outcomes: ['locked', 'unlocked', 'unverified', 'tooManyAttempts'],
    params: { lockedUntil: 'instant', tryAgainAt: 'instant' },
  },
  requestPasswordReset: {
    inputs: ['idNumber'],
    outcomes: ['accepted', 'recentlySent'],
    params: {},
  },
  createHelpdeskRequest: {
    inputs: ['fullName', 'exam', 'examDate', 'centreName', 'email', 'idNumber', 'secretNumber'],
    outcomes: ['created'],
    params: { reference: 'text' },
  },
} as const satisfies Record<string, AccountCallSpec>;

export type AccountCall = keyof typeof ACCOUNT_CALLS;

export function isAccountCall(name: string): name is AccountCall {
  return Object.prototype.hasOwnProperty.call(ACCOUNT_CALLS, name);
}

/** What a call's implementation hands back to the dialog. */
export interface AccountCallOutput {
  outcome: string;
  params?: Record<string, string>;
}

/** What a call's implementation receives. */
export interface AccountCallInput {
  slots: Record<string, string>;
  locale: string;
  turnId: string;
  /** How long the dialog waits for the call: no attempt or retry of it may go on longer. */
  budgetMs: number;
  /** An opaque, stable key of the person asking, for limits across their conversations. */
  requester?: string;
}
