import { createHash } from 'node:crypto';
import { fromPromise } from 'xstate';
import type { AccountCallInput, AccountCall, AccountCallOutput } from '../dialog/accountCalls';
import type { AccountService } from '../accountService/accountService';
import { conversationOfTurn } from './turnId';

function slot(input: AccountCallInput, name: string): string {
  const value = input.slots[name];
  if (value === undefined) throw new Error(`The form did not collect "${name}"`);
  return value;
}

/**
 * The key of a call that changes something: the conversation, the call and a hash of exactly what it sends.
 * The same answers sent again in this conversation are the same request — *Try again*, a redelivery, Back
 * and Send, a form set aside and taken up again, the form filled in again after a failure that did reach the
 * service, a restart, another instance — and other answers are another. The secret number is only ever part
 * of a hash.
 */
function idempotencyKey(input: AccountCallInput, call: AccountCall, request: object): string {
  return createHash('sha256')
    .update(JSON.stringify([conversationOfTurn(input.turnId), call, request]))
    .digest('base64url');
}

/** The dialog's account-service calls, as the actors the machine invokes, backed by an AccountService. */
export function accountActors(service: AccountService) {
  const options = (input: AccountCallInput, signal: AbortSignal) => ({
    // The service limits checks per conversation, and per person across their conversations.
    conversationId: conversationOfTurn(input.turnId),
    ...(input.requester ? { requester: input.requester } : {}),
    // Stopped when the dialog stops waiting (it left the call), and at the latest when its time is up.
    signal: AbortSignal.any([signal, AbortSignal.timeout(input.budgetMs)]),
  });
  return {
    checkLockStatus: fromPromise<AccountCallOutput, AccountCallInput>(
      async ({ input, signal }): Promise<AccountCallOutput> => {
        const status = await service.checkLockStatus(
          { idNumber: slot(input, 'idNumber'), secretNumber: slot(input, 'secretNumber') },
          options(input, signal),
        );
        if (status.status === 'locked')
          return { outcome: 'locked', params: { lockedUntil: status.lockedUntil.toISOString() } };
        if (status.status === 'limited') {
          const tryAgainAt = new Date(Date.now() + status.retryAfterSeconds * 1000).toISOString();
          return { outcome: 'tooManyAttempts', params: { tryAgainAt } };
        }
        return { outcome: status.status };
      },
    ),
    requestPasswordReset: fromPromise<AccountCallOutput, AccountCallInput>(async ({ input, signal }) => {
      const request = { idNumber: slot(input, 'idNumber') };
      const outcome = await service.requestPasswordReset(request, {
        ...options(input, signal),
        idempotencyKey: idempotencyKey(input, 'requestPasswordReset', request),
      });
      return { outcome: outcome.status === 'limited' ? 'recentlySent' : 'accepted' };
    }),
    createHelpdeskRequest: fromPromise<AccountCallOutput, AccountCallInput>(async ({ input, signal }) => {
      const request = {
        fullName: slot(input, 'fullName'),
        exam: slot(input, 'exam'),
        examDate: slot(input, 'examDate'),
        centreName: slot(input, 'centreName'),
        email: slot(input, 'email'),
        idNumber: slot(input, 'idNumber'),
        secretNumber: slot(input, 'secretNumber'),
        locale: input.locale,
      };
      const { reference } = await service.createHelpdeskRequest(request, {
        ...options(input, signal),
        idempotencyKey: idempotencyKey(input, 'createHelpdeskRequest', request),
      });
      return { outcome: 'created', params: { reference } };
    }),
  } satisfies Record<AccountCall, unknown>;
}
