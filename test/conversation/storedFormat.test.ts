import type { StoredDialog } from '../../src/conversation/engine';
import { Chat, engine } from '../support/helpers';

/**
 * A conversation as the bot stored it before the compact format (version 1: xstate's whole persisted
 * snapshot), half-way through the lockout check: the ID number given, the secret number asked next.
 */
const STORED_AS_VERSION_1 = {
  v: 1,
  content: 'f4feb6407ef7',
  snapshot: {
    status: 'active',
    value: { lockoutCheck: 'secretNumber' },
    historyValue: {},
    context: { trail: ['menu', 'lockout'], slots: { idNumber: 'ABC123456' }, correcting: false, result: {} },
    children: {},
  },
};

/** The same conversation walked today, up to the same question. */
async function walkedToTheSameQuestion(): Promise<Chat> {
  const chat = new Chat(engine());
  await chat.open();
  await chat.choose('lockout');
  await chat.choose('lockoutCheck');
  await chat.say(STORED_AS_VERSION_1.snapshot.context.slots.idNumber);
  return chat;
}

describe('the stored dialog', () => {
  it('keeps only what the machine cannot rebuild: its version, the content, the state and the context', async () => {
    const chat = await walkedToTheSameQuestion();
    const stored = chat.stored!;
    expect(Object.keys(stored).sort()).toEqual(['content', 'context', 'state', 'v']);
    expect(stored.v).toBe(2);
    expect(stored.state).toBe(chat.last.trace.state);
    // Defaults (no correction under way, no account-service result yet) are left out.
    expect(stored.context).toEqual({ trail: ['menu', 'lockout'], slots: { idNumber: 'ABC123456' } });
  });

  it('carries on a conversation stored in the earlier format as if it had never been stored', async () => {
    const today = await walkedToTheSameQuestion();
    const upgraded = new Chat(engine());
    upgraded.stored = { ...STORED_AS_VERSION_1, content: today.stored!.content } as unknown as StoredDialog;
    for (const chat of [today, upgraded]) await chat.say('1234');
    expect(upgraded.last.trace).toEqual(today.last.trace);
    expect(upgraded.text).toBe(today.text);
    expect(upgraded.stored).toEqual(today.stored);
  });
});
