import { createActor, fromPromise, waitFor } from 'xstate';
import type { AccountCallInput, AccountCallOutput } from '../../src/dialog/accountCalls';
import { buildMachine } from '../../src/machine/buildMachine';
import type { DialogEvent, Say } from '../../src/machine/types';
import { NOTICES } from '../../src/dialog/systemKeys';
import { content, NOW, REQUEST_ANSWERS } from '../support/helpers';

type Step = Omit<DialogEvent, 'locale' | 'turnId'> & Record<string, unknown>;

/** Runs the dialog machine with the given account-service doubles; records what it says. */
function run(
  actors: Record<string, (input: AccountCallInput) => Promise<AccountCallOutput>> = {},
  serviceTimeoutMs = 200,
) {
  const calls: Array<{ action: string; input: AccountCallInput }> = [];
  const provided = Object.fromEntries(
    Object.entries(actors).map(([name, implementation]) => [
      name,
      fromPromise<AccountCallOutput, AccountCallInput>(async ({ input }) => {
        calls.push({ action: name, input });
        return implementation(input);
      }),
    ]),
  );
  const machine = buildMachine(content(), { now: () => NOW, serviceTimeoutMs }).provide({ actors: provided as never });
  const actor = createActor(machine);
  let said: string[] = [];
  actor.on('say', (event: Say) => said.push(event.key));
  actor.start();
  let turn = 0;
  return {
    calls,
    actor,
    async send(step: Step): Promise<string[]> {
      said = [];
      turn += 1;
      actor.send({ locale: 'en', turnId: `t${turn}`, ...step } as DialogEvent);
      await waitFor(actor, (snapshot) => !snapshot.hasTag('busy'), { timeout: 5000 });
      return said;
    },
    get value() {
      return actor.getSnapshot().value;
    },
    get context() {
      return actor.getSnapshot().context;
    },
  };
}

const choose = (choice: string): Step => ({ type: 'CHOOSE', choice });
const answer = (text: string): Step => ({ type: 'ANSWER', text });

describe('the dialog machine', () => {
  it('opens with the welcome and the menu', async () => {
    const dialog = run();
    expect(await dialog.send({ type: 'START' })).toEqual(['common:welcome', 'common:language.offer', 'menu.intro']);
    expect(dialog.value).toBe('menu');
  });

  it('asks "did you mean", after two misses in a row offers the way out, until the user is understood', async () => {
    const { start, handover } = content().dialog;
    const topics = Object.keys(content().dialog.nodes)
      .filter((node) => node !== start)
      .slice(0, 2);
    const dialog = run();
    await dialog.send({ type: 'START' });
    expect(await dialog.send({ type: 'CLARIFY', nodes: topics })).toEqual(['common:understanding.didYouMean']);
    expect(dialog.context).toMatchObject({ misses: 1, offered: topics });
    expect(await dialog.send({ type: 'UNKNOWN', reason: 'notUnderstood' })).toEqual(['common:understanding.stuck']);
    expect(dialog.context).toMatchObject({ misses: 2, offered: [start, ...(handover ? [handover] : [])] });
    expect(dialog.value).toBe(start);
    await dialog.send({ type: 'HELP' });
    expect(dialog.context.misses).toBeUndefined();
    expect(dialog.context.offered).toBeUndefined();
    // A first miss is said as such, with the question again.
    expect((await dialog.send({ type: 'UNKNOWN', reason: 'notUnderstood' }))[0]).toBe('common:notUnderstood');
    expect(dialog.context.misses).toBe(1);
  });

  it('checks the lock status with both numbers and reports when the account unlocks', async () => {
    const dialog = run({
      checkLockStatus: async () => ({ outcome: 'locked', params: { lockedUntil: '2026-03-10T09:20:00.000Z' } }),
    });
    await dialog.send({ type: 'START' });
    await dialog.send(choose('lockout'));
    expect(await dialog.send(choose('lockoutCheck'))).toEqual(['lockoutCheck.intro', 'ask.idNumber']);
    expect(await dialog.send(answer('sir 094701'))).toEqual(['ask.secretNumber']);
    expect(await dialog.send(answer('8482'))).toEqual(['lockoutLocked.body', 'lockoutLocked.then']);
    expect(dialog.calls).toEqual([
      {
        action: 'checkLockStatus',
        input: {
          slots: { idNumber: 'SIR094701', secretNumber: '8482' },
          locale: 'en',
          turnId: 't5',
          // The call may take as long as the dialog waits, and no longer.
          budgetMs: 200,
        },
      },
    ]);
    expect(dialog.value).toBe('lockoutLocked');
    expect(dialog.context.result).toEqual({ lockedUntil: '2026-03-10T09:20:00.000Z' });
    // Nothing the candidate typed stays in the state once the check is done.
    expect(dialog.context.slots).toEqual({});
  });

  it('routes each lock-status outcome to its own node', async () => {
    for (const [outcome, node] of [
      ['unlocked', 'lockoutUnlocked'],
      ['unverified', 'lockoutUnverified'],
    ] as const) {
      const dialog = run({ checkLockStatus: async () => ({ outcome }) });
      await dialog.send({ type: 'START' });
      await dialog.send(choose('lockout'));
      await dialog.send(choose('lockoutCheck'));
      await dialog.send(answer('ABC123456'));
      await dialog.send(answer('1234'));
      expect(dialog.value).toBe(node);
    }
  });

  it('re-asks with the reason when an answer does not fit, and stays on the question', async () => {
    const dialog = run();
    await dialog.send({ type: 'START' });
    await dialog.send(choose('forgotPassword'));
    await dialog.send(choose('passwordReset'));
    expect(await dialog.send(answer('my id'))).toEqual(['validation.idNumber', 'ask.idNumber']);
    expect(dialog.value).toEqual({ passwordReset: 'idNumber' });
  });

  it('goes to the failure step when the service fails, keeps the answers and retries with them', async () => {
    let attempts = 0;
    const dialog = run({
      requestPasswordReset: async () => {
        attempts += 1;
        if (attempts === 1) throw new Error('service down');
        return { outcome: 'accepted' };
      },
    });
    await dialog.send({ type: 'START' });
    await dialog.send(choose('forgotPassword'));
    await dialog.send(choose('passwordReset'));
    expect(await dialog.send(answer('ABC123456'))).toEqual(['passwordReset.failed']);
    expect(dialog.value).toEqual({ passwordReset: 'failed' });
    expect(dialog.context.slots).toEqual({ idNumber: 'ABC123456' });
    expect(await dialog.send(choose('retry'))).toEqual(['passwordResetSent.body']);
    expect(dialog.calls.map((call) => call.input.slots)).toEqual([
      { idNumber: 'ABC123456' },
      { idNumber: 'ABC123456' },
    ]);
    expect(dialog.context.slots).toEqual({});
  });

  it('gives up on a service that does not answer, in time', async () => {
    const dialog = run({ checkLockStatus: () => new Promise<AccountCallOutput>(() => undefined) }, 100);
    await dialog.send({ type: 'START' });
    await dialog.send(choose('lockout'));
    await dialog.send(choose('lockoutCheck'));
    await dialog.send(answer('ABC123456'));
    expect(await dialog.send(answer('1234'))).toEqual(['lockoutCheck.failed']);
    expect(dialog.value).toEqual({ lockoutCheck: 'failed' });
  });

  it('collects the closed-centre request, lets an answer be fixed from the summary, submits on confirm', async () => {
    const dialog = run({
      createHelpdeskRequest: async () => ({ outcome: 'created', params: { reference: 'HD-TEST-0001' } }),
    });
    await dialog.send({ type: 'START' });
    await dialog.send(choose('centreClosed'));
    expect(await dialog.send(choose('helpdeskRequest'))).toEqual(['helpdeskRequest.intro', 'ask.fullName']);
    for (const text of [...REQUEST_ANSWERS, 'sir094701']) await dialog.send(answer(text));
    expect(await dialog.send(answer('8482'))).toEqual(['helpdeskRequest.summary']);
    expect(dialog.value).toEqual({ helpdeskRequest: 'confirm' });

    expect(await dialog.send(choose('edit:examDate'))).toEqual(['ask.examDate']);
    expect(await dialog.send(answer('15/06/2025'))).toEqual(['helpdeskRequest.summary']);
    expect(dialog.context.slots.examDate).toBe('2025-06-15');
    expect(dialog.calls).toEqual([]);

    expect(await dialog.send(choose('send'))).toEqual(['helpdeskRequestSent.body', 'helpdeskRequestSent.next']);
    expect(dialog.calls).toHaveLength(1);
    expect(dialog.calls[0]!.input.slots).toEqual({
      fullName: 'Ana García',
      exam: 'B2 First',
      examDate: '2025-06-15',
      centreName: 'Centro Madrid',
      email: 'ana@example.org',
      idNumber: 'SIR094701',
      secretNumber: '8482',
    });
    expect(dialog.context.slots).toEqual({});
    expect(JSON.stringify(dialog.actor.getPersistedSnapshot())).not.toContain('8482');
  });

  it('shows the secret number and the e-mail address masked in the summary', async () => {
    const dialog = run();
    const params: unknown[] = [];
    dialog.actor.on('say', (event: Say) => event.key === 'helpdeskRequest.summary' && params.push(event.params));
    await dialog.send({ type: 'START' });
    await dialog.send(choose('centreClosed'));
    await dialog.send(choose('helpdeskRequest'));
    for (const text of [...REQUEST_ANSWERS, 'SIR094701', '8482']) await dialog.send(answer(text));
    expect(params).toEqual([
      {
        fullName: 'Ana García',
        exam: 'B2 First',
        examDate: { date: '2025-06-14' },
        centreName: 'Centro Madrid',
        email: 'ana••••••••••rg',
        idNumber: 'SIR••••01',
        secretNumber: '••••',
      },
    ]);
  });

  it('goes back question by question, then out of the form to where the user came from', async () => {
    const dialog = run();
    await dialog.send({ type: 'START' });
    await dialog.send(choose('centreClosed'));
    await dialog.send(choose('helpdeskRequest'));
    await dialog.send(answer('Ana García'));
    expect(await dialog.send({ type: 'BACK' })).toEqual(['ask.fullName']);
    expect(dialog.context.slots).toEqual({ fullName: 'Ana García' });
    expect(await dialog.send({ type: 'BACK' })).toEqual(['centreClosed.body', 'centreClosed.prompt']);
    expect(dialog.context.slots).toEqual({});
    expect(await dialog.send({ type: 'BACK' })).toEqual(['menu.intro']);
    expect(await dialog.send({ type: 'BACK' })).toEqual(['common:nothingToGoBack', 'common:choicesAgain']);
    expect(dialog.value).toBe('menu');
  });

  it('cancels a form from any question, forgetting the answers', async () => {
    const dialog = run();
    await dialog.send({ type: 'START' });
    await dialog.send(choose('lockout'));
    await dialog.send(choose('lockoutCheck'));
    await dialog.send(answer('SIR094701'));
    expect(await dialog.send({ type: 'CANCEL' })).toEqual(['common:cancelled', 'menu.intro']);
    expect(dialog.context).toMatchObject({ slots: {}, trail: [] });
  });

  it('answers help, repeat, language and not-understood in place, without moving', async () => {
    const dialog = run();
    await dialog.send({ type: 'START' });
    await dialog.send(choose('lockout'));
    expect(await dialog.send({ type: 'HELP' })).toEqual(['common:help', 'lockout.prompt']);
    expect(await dialog.send({ type: 'REPEAT' })).toEqual(['common:choicesAgain', 'lockout.prompt']);
    expect(await dialog.send({ type: 'UNKNOWN', reason: 'tooLong' })).toEqual(['common:tooLong', 'lockout.prompt']);
    expect(await dialog.send({ type: 'LANGUAGE' })).toEqual([
      'common:language.changed',
      'lockout.body',
      'lockout.afterWait',
      'lockout.prompt',
    ]);
    expect(await dialog.send(choose('nonsense'))).toEqual(['common:staleButton', 'lockout.prompt']);
    expect(dialog.value).toBe('lockout');
  });

  it('starts over from anywhere, clearing everything', async () => {
    const dialog = run();
    await dialog.send({ type: 'START' });
    await dialog.send(choose('centreClosed'));
    await dialog.send(choose('helpdeskRequest'));
    await dialog.send(answer('Ana García'));
    expect(await dialog.send({ type: 'RESTART' })).toEqual(['common:restarted', 'menu.intro']);
    expect(dialog.context).toEqual({ trail: [], slots: {}, correcting: false, result: {} });
  });

  it('keeps the way back short when the user goes round in circles', async () => {
    const dialog = run({ checkLockStatus: async () => ({ outcome: 'unverified' }) });
    await dialog.send({ type: 'START' });
    await dialog.send(choose('lockout'));
    for (let round = 0; round < 30; round++) {
      await dialog.send(choose('lockoutCheck'));
      await dialog.send(answer('ABC123456'));
      await dialog.send(answer('9999'));
    }
    expect(dialog.value).toBe('lockoutUnverified');
    expect(dialog.context.trail).toEqual(['menu', 'lockout']);
    await dialog.send(choose('missingId'));
    await dialog.send(choose('findCentre'));
    await dialog.send(choose('centreClosed'));
    await dialog.send(choose('findCentre'));
    expect(dialog.context.trail).toEqual(['menu', 'lockout', 'lockoutUnverified', 'missingId']);
  });
});

describe('a form set aside for another topic', () => {
  let clock = NOW;
  const machine = buildMachine(content(), { now: () => clock });
  async function atSummary() {
    clock = NOW;
    const actor = createActor(machine);
    const said: string[] = [];
    actor.on('say', (event: Say) => said.push(event.key));
    actor.start();
    const send = (step: Step) => {
      said.length = 0;
      actor.send({ locale: 'en', turnId: 'set-aside', ...step } as DialogEvent);
      return [...said];
    };
    send({ type: 'START' });
    send({ type: 'GOTO', node: 'centreClosed' });
    send(choose('helpdeskRequest'));
    for (const text of [...REQUEST_ANSWERS, 'ABC123456', '1234']) send(answer(text));
    expect(actor.getSnapshot().value).toEqual({ helpdeskRequest: 'confirm' });
    send({ type: 'GOTO', node: 'findCentre' });
    return { actor, send };
  }

  it('keeps the other answers but not the secret number, and asks for it again on return', async () => {
    const { actor, send } = await atSummary();
    expect(JSON.stringify(actor.getPersistedSnapshot())).not.toMatch(/\b1234\b/);
    expect(actor.getSnapshot().context.suspended?.slots).toMatchObject({
      fullName: 'Ana García',
      idNumber: 'ABC123456',
    });
    clock = new Date(NOW.getTime() + 29 * 60_000);
    send({ type: 'GOTO', node: 'centreClosed' });
    expect(send(choose('helpdeskRequest'))).toEqual([NOTICES.resumed, 'ask.secretNumber']);
    // The answer goes straight back to the summary the form had reached.
    send(answer('1234'));
    expect(actor.getSnapshot().value).toEqual({ helpdeskRequest: 'confirm' });
    expect(actor.getSnapshot().context.slots).toMatchObject({ fullName: 'Ana García', secretNumber: '1234' });
  });

  it('forgets the answers after 30 minutes: the form starts afresh', async () => {
    const { actor, send } = await atSummary();
    clock = new Date(NOW.getTime() + 31 * 60_000);
    send({ type: 'GOTO', node: 'centreClosed' });
    expect(send(choose('helpdeskRequest'))).toEqual(['helpdeskRequest.intro', 'ask.fullName']);
    expect(actor.getSnapshot().context.slots).toEqual({});
  });
});
