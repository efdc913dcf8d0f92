/**
 * The account-service actions a dialog form may invoke, with the answers each needs and the
 * outcomes it can end in. Dialog files name these; the bot supplies the implementations.
 */
export type ParamKind = 'text' | 'instant';

export interface ActionSpec {
  readonly inputs: readonly string[];
  readonly outcomes: readonly string[];
  /** Values the action returns that texts may show, and how to show them. */
  readonly params: Readonly<Record<string, ParamKind>>;
}

export const ACTIONS = {
  checkLockStatus: {
    inputs: ['idNumber', 'secretNumber'],
    outcomes: ['locked', 'unlocked', 'unverified', 'tooManyAttempts'],
    params: { lockedUntil: 'instant' },
  },
  requestPasswordReset: {
    inputs: ['idNumber'],
    outcomes: ['accepted', 'recentlySent'],
    params: {},
  },
  createHelpdeskRequest: {
    inputs: ['fullName', 'exam', 'examDate', 'centreName', 'idNumber', 'secretNumber'],
    outcomes: ['created'],
    params: { reference: 'text' },
  },
} as const satisfies Record<string, ActionSpec>;

export type ActionName = keyof typeof ACTIONS;

export function isActionName(name: string): name is ActionName {
  return Object.prototype.hasOwnProperty.call(ACTIONS, name);
}

/** What an action implementation hands back to the dialog. */
export interface ActionOutput {
  outcome: string;
  params?: Record<string, string>;
}

/** What an action implementation receives. */
export interface ActionInput {
  slots: Record<string, string>;
  locale: string;
  turnId: string;
}
