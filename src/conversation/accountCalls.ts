import { fromPromise } from 'xstate';
import type { AccountCallInput, AccountCall, AccountCallOutput } from '../dialog/accountCalls';
import type { AccountService } from '../accountService/accountService';
import { conversationOfTurn } from './turnId';

function slot(input: AccountCallInput, name: string): string {
  const value = input.slots[name];
  if (value === undefined) throw new Error(`The form did not collect "${name}"`);
  return value;
}

/** The dialog's account-service calls, as the actors the machine invokes, backed by an AccountService. */
export function accountActors(service: AccountService) {
  const options = (input: AccountCallInput, call: AccountCall) => ({
    idempotencyKey: `${input.turnId}:${call}`,
    // The service limits checks per conversation, and per person across their conversations.
    conversationId: conversationOfTurn(input.turnId),
    ...(input.requester ? { requester: input.requester } : {}),
  });
  return {
    checkLockStatus: fromPromise<AccountCallOutput, AccountCallInput>(async ({ input }): Promise<AccountCallOutput> => {
      const status = await service.checkLockStatus(
        { idNumber: slot(input, 'idNumber'), secretNumber: slot(input, 'secretNumber') },
        options(input, 'checkLockStatus'),
      );
      if (status.status === 'locked')
        return { outcome: 'locked', params: { lockedUntil: status.lockedUntil.toISOString() } };
      if (status.status === 'limited') {
        const tryAgainAt = new Date(Date.now() + status.retryAfterSeconds * 1000).toISOString();
        return { outcome: 'tooManyAttempts', params: { tryAgainAt } };
      }
      return { outcome: status.status };
    }),
    requestPasswordReset: fromPromise<AccountCallOutput, AccountCallInput>(async ({ input }) => {
      const outcome = await service.requestPasswordReset(
        { idNumber: slot(input, 'idNumber') },
        options(input, 'requestPasswordReset'),
      );
      return { outcome: outcome.status === 'limited' ? 'recentlySent' : 'accepted' };
    }),
    createHelpdeskRequest: fromPromise<AccountCallOutput, AccountCallInput>(async ({ input }) => {
      const { reference } = await service.createHelpdeskRequest(
        {
          fullName: slot(input, 'fullName'),
          exam: slot(input, 'exam'),
          examDate: slot(input, 'examDate'),
          centreName: slot(input, 'centreName'),
          idNumber: slot(input, 'idNumber'),
          secretNumber: slot(input, 'secretNumber'),
          locale: input.locale,
        },
        options(input, 'createHelpdeskRequest'),
      );
      return { outcome: 'created', params: { reference } };
    }),
  } satisfies Record<AccountCall, unknown>;
}
