import type { AccountService } from '../../src/accountService/accountService';
import type { FormNode } from '../../src/content/dialogSchema';
import { BUTTONS } from '../../src/dialog/systemKeys';
import { SlotSeal } from '../../src/conversation/sealedSlots';
import { accountService, Chat, content, engine, english, REQUEST_ANSWERS } from '../support/helpers';

const helpdeskForm = () => content().dialog.nodes.helpdeskRequest as FormNode;

/** An account service that records each helpdesk request's key, and fails while `failing` is set. */
function recordingService() {
  const accounts = accountService();
  const keys: string[] = [];
  const locales: string[] = [];
  const service: AccountService & { failing: boolean; keys: string[]; locales: string[] } = {
    failing: true,
    keys,
    locales,
    checkLockStatus: (query, options) => accounts.checkLockStatus(query, options),
    requestPasswordReset: (request, options) => accounts.requestPasswordReset(request, options),
    createHelpdeskRequest: async (request, options) => {
      keys.push(options.idempotencyKey);
      locales.push(request.locale);
      if (service.failing) throw new Error('the account service did not answer');
      return accounts.createHelpdeskRequest(request, options);
    },
  };
  return service;
}

async function fillHelpdeskRequest(chat: Chat, secretNumber = '1234') {
  await chat.choose('centreClosed');
  await chat.choose('helpdeskRequest');
  for (const answer of [...REQUEST_ANSWERS, 'ABC123456', secretNumber]) await chat.say(answer);
  expect(chat.last.trace.expecting).toBe('confirm');
}

describe('the idempotency key of a form’s account-service call', () => {
  it('is the same for every retry of the same answers, and another for other answers or another form', async () => {
    const service = recordingService();
    // Every engine here keeps secret answers with one key, as instances sharing STATE_ENCRYPTION_KEY do.
    const seal = new SlotSeal('k'.repeat(32));
    const chat = new Chat(engine({ service, seal }));
    await chat.open();
    await fillHelpdeskRequest(chat);
    await chat.choose('send');
    expect(chat.last.trace.state).toBe('helpdeskRequest.failed');
    await chat.choose('retry');
    // Back to the summary and sent again: still the same answers, so the same request.
    await chat.say(english(BUTTONS.back));
    expect(chat.last.trace.expecting).toBe('confirm');
    await chat.choose('send');

    // In another language now: still the same request (the helpdesk answers in the language it was sent in).
    await chat.say('Español');
    await chat.choose('retry');
    expect(chat.last.language).toBe('es');

    // After a restart, from the stored conversation, on another engine.
    const restarted = new Chat(engine({ service, seal }));
    restarted.stored = chat.stored;
    restarted.last = chat.last;
    await restarted.choose('retry');
    expect(new Set(service.keys).size).toBe(1);
    expect(new Set(service.locales)).toEqual(new Set(['en']));
    expect(service.keys).toHaveLength(5);

    // Another secret number is another request; it is never part of the key as it was typed.
    await restarted.say(english(BUTTONS.back));
    await restarted.choose('edit:secretNumber');
    await restarted.say('9876');
    await restarted.choose('send');
    service.failing = false;
    await restarted.choose('retry');
    expect(restarted.last.trace.state).toBe(helpdeskForm().outcomes.created);
    expect(service.keys.slice(5)).toEqual([service.keys[5], service.keys[5]]);
    expect(service.keys[5]).not.toBe(service.keys[0]);
    for (const key of service.keys) expect(key).not.toMatch(/1234|9876|ABC123456/);

    // The form filled in again in this conversation with the same answers is the same request (after a
    // failure that did reach the service, it must not be filed twice); in another conversation it is another.
    await restarted.say(english(BUTTONS.menu));
    await fillHelpdeskRequest(restarted, '9876');
    await restarted.choose('send');
    expect(service.keys.at(-1)).toBe(service.keys[5]);
    const other = new Chat(engine({ service, seal }));
    other.conversationId = 'another';
    await other.open();
    await fillHelpdeskRequest(other, '9876');
    await other.choose('send');
    expect(service.keys.at(-1)).not.toBe(service.keys[5]);
  });
});
