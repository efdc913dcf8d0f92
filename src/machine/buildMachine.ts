import { and, assertEvent, assign, emit, fromPromise, setup } from 'xstate';
import { isFormNode, type FormNode, type MessageNode } from '../content/dialogSchema';
import type { Content } from '../content/loadContent';
import { BUTTONS, NOTICES } from '../dialog/systemKeys';
import { maskValue } from '../content/validators';
import {
  ACCOUNT_CALLS,
  type AccountCallInput,
  type AccountCall,
  type AccountCallOutput,
  type ParamKind,
} from '../dialog/accountCalls';
import type { Choice, DialogContext, DialogEvent, MissReason, Param, Say, StateMeta } from './types';

export const START_STATE = '_start';
/** The step every form passes through on entry, to resume a form left half-way. */
export const RESUME_STEP = '_resume';
const TRAIL_LIMIT = 20;
/** How long a form set aside keeps its answers (secret ones are never kept). */
export const SET_ASIDE_MINUTES = 30;

export interface BuildOptions {
  /** The clock used to judge dates ("in the future"); tests pass a fixed one. */
  now?: () => Date;
  /** How long an account-service call may take before the form reports a failure. */
  serviceTimeoutMs?: number;
}

const notUnderstood = { type: 'missIs', params: { reason: 'notUnderstood' } } as const;
const BACK_BUTTON: Choice = { id: '@back', label: BUTTONS.back, event: 'BACK' };
const MENU_BUTTON: Choice = { id: '@menu', label: BUTTONS.menu, event: 'MENU' };
const CANCEL_BUTTON: Choice = { id: '@cancel', label: BUTTONS.cancel, event: 'CANCEL' };

const PARAM_KINDS: Record<string, ParamKind> = Object.assign(
  {},
  ...Object.values(ACCOUNT_CALLS).map((call) => call.params),
);

const notProvided = (name: string) =>
  fromPromise<AccountCallOutput, AccountCallInput>(async () => {
    throw new Error(`The account-service call "${name}" was not provided`);
  });

/** What an account-service call returned, on the event that reports it done (the machine's own event types omit it). */
function callOutput(event: object): AccountCallOutput | undefined {
  const output = 'output' in event ? event.output : undefined;
  if (!output || typeof output !== 'object' || !('outcome' in output)) return undefined;
  if (typeof output.outcome !== 'string') return undefined;
  const params = 'params' in output && output.params && typeof output.params === 'object' ? output.params : {};
  const texts = Object.entries(params).map(([name, value]) => [name, String(value)]);
  return { outcome: output.outcome, params: Object.fromEntries(texts) };
}

/** Action references used in the generated config. */
const say = (key: string, multilingual = false) => ({ type: 'say' as const, params: { key, multilingual } });

/** Whether the node is a form that asks for ID or secret numbers, which opens only in a private chat. */
export function asksForPrivateNumbers(content: Content, nodeId: string): boolean {
  const node = content.dialog.nodes[nodeId];
  return Boolean(
    node &&
    isFormNode(node) &&
    node.ask.some((question) => content.validators[content.slotValidators[question.slot]!]!.mask !== 'none'),
  );
}

/**
 * Compiles the dialog content into an xstate machine. Each message node becomes a state, each
 * form a compound state with one state per question, an optional summary, the account-service
 * call and its failure. Account-service calls are actors named after the call; supply them
 * with `machine.provide({ actors })`.
 */
export function buildMachine(content: Content, options: BuildOptions = {}) {
  const now = options.now ?? (() => new Date());
  const serviceTimeoutMs = options.serviceTimeoutMs ?? 4000;
  const { dialog, validators, slotValidators } = content;
  const start = dialog.start;
  const messageNodes = Object.keys(dialog.nodes).filter((id) => !isFormNode(dialog.nodes[id]!));
  const formNodes = Object.keys(dialog.nodes).filter((id) => isFormNode(dialog.nodes[id]!));

  const validatorOf = (slot: string) => validators[slotValidators[slot]!]!;
  /** After two misses in a row: the menu, and a person when the content has one. */
  const wayOut = [start, ...(dialog.handover ? [dialog.handover] : [])];
  const asksForPrivateData = (nodeId: string) => asksForPrivateNumbers(content, nodeId);

  /** A form set aside: its answers without the secret ones, resuming at the first secret one it must ask again. */
  function setAside(form: string, step: string, slots: Record<string, string>): DialogContext['suspended'] {
    const node = dialog.nodes[form];
    const order = node && isFormNode(node) ? node.ask.map((question) => question.slot) : [];
    const kept = Object.fromEntries(Object.entries(slots).filter(([slot]) => !validatorOf(slot).secret));
    const reached = step === 'confirm' ? order.length : order.indexOf(step);
    const again = order.find((slot, index) => index < reached && slot in slots && !(slot in kept));
    const until = new Date(now().getTime() + SET_ASIDE_MINUTES * 60_000).toISOString();
    return {
      form,
      step: again ?? step,
      slots: kept,
      until,
      ...(again && step === 'confirm' ? { correcting: true } : {}),
    };
  }

  function textParams(context: DialogContext): Record<string, Param> {
    const params: Record<string, Param> = {};
    for (const [slot, value] of Object.entries(context.slots)) {
      const validator = validatorOf(slot);
      params[slot] = validator.kind === 'pastDate' ? { date: value } : maskValue(value, validator.mask);
    }
    for (const [name, value] of Object.entries(context.result)) {
      params[name] = PARAM_KINDS[name] === 'instant' ? { instant: value } : value;
    }
    return params;
  }

  const machineSetup = setup({
    types: {
      context: {} as DialogContext,
      events: {} as DialogEvent,
      emitted: {} as Say,
      meta: {} as StateMeta,
    },
    actors: Object.fromEntries(Object.keys(ACCOUNT_CALLS).map((name) => [name, notProvided(name)])) as Record<
      AccountCall,
      ReturnType<typeof notProvided>
    >,
    delays: {
      serviceTimeout: () => serviceTimeoutMs,
    },
    guards: {
      choiceIs: ({ event }, params: { id: string }) => event.type === 'CHOOSE' && event.choice === params.id,
      trailTopIs: ({ context }, params: { node: string }) => context.trail.at(-1) === params.node,
      gotoIs: ({ event }, params: { node: string }) => event.type === 'GOTO' && event.node === params.node,
      onlyCandidateIs: ({ event }, params: { node: string }) =>
        event.type === 'CLARIFY' && event.nodes.every((node) => node === params.node),
      suspendedAt: ({ context }, params: { form: string; step: string }) =>
        context.suspended?.form === params.form &&
        context.suspended.step === params.step &&
        (!context.suspended.until || new Date(context.suspended.until) > now()),
      answerValid: ({ event }, params: { slot: string }) =>
        event.type === 'ANSWER' && validatorOf(params.slot).validate(event.text, now()).ok,
      correcting: ({ context }) => context.correcting,
      missedBefore: ({ context }) => (context.misses ?? 0) > 0,
      missIs: ({ event }, params: { reason: MissReason }) => event.type === 'UNKNOWN' && event.reason === params.reason,
      inPrivateChat: ({ event }) => event.privateChat !== false,
      outcomeIs: ({ event }, params: { outcome: string }) => callOutput(event)?.outcome === params.outcome,
      secretLost: ({ event }, params: { slot: string }) =>
        event.type === 'SECRETS_LOST' && event.slots.includes(params.slot),
    },
    actions: {
      say: emit(({ context }, params: { key: string; multilingual: boolean }): Say => {
        const said: Say = { type: 'say', key: params.key, params: textParams(context) };
        if (params.multilingual) said.multilingual = true;
        return said;
      }),
      sayWhyInvalid: emit(({ event }, params: { slot: string }): Say => {
        const checked = event.type === 'ANSWER' ? validatorOf(params.slot).validate(event.text, now()) : undefined;
        return { type: 'say', key: checked && !checked.ok ? checked.error : NOTICES.notUnderstood };
      }),
      sayMiss: emit(({ event }): Say => ({
        type: 'say',
        key: event.type === 'UNKNOWN' ? NOTICES[event.reason] : NOTICES.notUnderstood,
      })),
      pushTrail: assign({
        trail: ({ context }, params: { from: string; to: string }) => {
          const back = context.trail.indexOf(params.to);
          if (back >= 0) return context.trail.slice(0, back);
          const here = context.trail.indexOf(params.from);
          const trail = here >= 0 ? context.trail.slice(0, here) : context.trail;
          return [...trail, params.from].slice(-TRAIL_LIMIT);
        },
      }),
      popTrail: assign({ trail: ({ context }) => context.trail.slice(0, -1) }),
      // Reaching a node that is on the way back (a retry loop) shortens the way back to before it.
      arriveAt: assign({
        trail: ({ context }, params: { node: string }) => {
          const index = context.trail.indexOf(params.node);
          return index >= 0 ? context.trail.slice(0, index) : context.trail;
        },
      }),
      clearTrail: assign({ trail: [], suspended: undefined }),
      // The main menu from inside a form: a fresh start, with the form's answers kept on hold.
      clearTrailOnly: assign({ trail: [] }),
      clearAll: assign({ trail: [], slots: {}, correcting: false, result: {}, suspended: undefined }),
      // Leaving a form's question for another topic keeps the answers so far, but no secret, to resume later.
      suspendIfInterrupted: assign({
        suspended: ({ context, event }, params: { form: string; step: string }) =>
          event.type === 'GOTO' || event.type === 'MENU' || event.type === 'CHOOSE'
            ? setAside(params.form, params.step, context.slots)
            : context.suspended,
      }),
      resume: assign({
        slots: ({ context }) => ({ ...(context.suspended?.slots ?? {}) }),
        correcting: ({ context }) => context.suspended?.correcting === true,
        suspended: undefined,
      }),
      dropSuspended: assign({ suspended: undefined }),
      beginForm: assign({
        slots: {},
        correcting: false,
        result: {},
        sentIn: undefined,
      }),
      endForm: assign({ slots: {}, correcting: false, sentIn: undefined }),
      markSent: assign({ sentIn: ({ context, event }) => context.sentIn ?? event.locale }),
      storeAnswer: assign({
        slots: ({ context, event }, params: { slot: string }) => {
          const checked = event.type === 'ANSWER' ? validatorOf(params.slot).validate(event.text, now()) : undefined;
          return checked?.ok ? { ...context.slots, [params.slot]: checked.value } : context.slots;
        },
      }),
      startCorrecting: assign({ correcting: true }),
      stopCorrecting: assign({ correcting: false }),
      countMiss: assign({ misses: ({ context }) => (context.misses ?? 0) + 1, offered: undefined }),
      offerCandidates: assign({
        offered: ({ event }) => {
          assertEvent(event, 'CLARIFY');
          return event.nodes;
        },
      }),
      offerWayOut: assign({ offered: wayOut }),
      // Anything understood ends a run of misses, and what was offered is no longer on the screen's last reply.
      forgetMisses: assign({ misses: undefined, offered: undefined }),
      storeResult: assign({
        result: ({ event }) => ({ ...(callOutput(event)?.params ?? {}) }),
      }),
    },
  });

  /** The states' config as the typed setup describes it; generated from content, so checked by the loader. */
  type GeneratedStates = NonNullable<Parameters<typeof machineSetup.createMachine>[0]['states']>;
  type Action = ReturnType<typeof say> | string | { type: string; params: Record<string, unknown> };
  type Transition = { actions?: Action[] } & Record<string, unknown>;

  /** Typed topics: straight to any message node, remembering where we came from so Back returns there. */
  function goTo(from: string, before: Action[] = []) {
    return messageNodes.map((node) => ({
      guard: { type: 'gotoIs', params: { node } },
      target: `#${node}`,
      reenter: true,
      actions: [
        ...before,
        ...(node === start ? ['clearTrail'] : node === from ? [] : [{ type: 'pushTrail', params: { from, to: node } }]),
      ],
    }));
  }

  /** The moves every resting state allows; `reprompt` repeats its question, `full` all of its text. */
  function everywhere(reprompt: Action[], full: Action[], from: string) {
    return {
      GOTO: goTo(from),
      GREET: { actions: [say(NOTICES.greeting), ...reprompt] },
      DECLINE: { actions: [say(NOTICES.noProblem), say(NOTICES.choicesAgain)] },
      START: { actions: [say(NOTICES.welcome), ...full] },
      MENU: { target: `#${start}`, reenter: true, actions: ['clearTrail'] },
      STEP_GONE: { target: `#${start}`, reenter: true, actions: [say(NOTICES.stepGone), 'clearTrailOnly'] },
      CANCEL: { target: `#${start}`, reenter: true, actions: ['clearTrail'] },
      RESTART: { target: `#${start}`, reenter: true, actions: ['clearAll', say(NOTICES.restarted)] },
      HELP: { actions: [say(NOTICES.help), ...reprompt] },
      REPEAT: { actions: [say(NOTICES.choicesAgain), ...reprompt] },
      LANGUAGE: { actions: [say(NOTICES.languageChanged), ...full] },
      // Never guess on a weak match, never loop: ask, and after two misses in a row offer a way out.
      CLARIFY: [
        { guard: 'missedBefore', actions: ['countMiss', say(NOTICES.stuck), 'offerWayOut'] },
        { actions: ['countMiss', say(NOTICES.didYouMean), 'offerCandidates'] },
      ],
      UNKNOWN: [
        { guard: and([notUnderstood, 'missedBefore']), actions: ['countMiss', say(NOTICES.stuck), 'offerWayOut'] },
        { guard: notUnderstood, actions: ['countMiss', 'sayMiss', ...reprompt] },
        // Written in a language the bot does not speak: only say so; the reply offers the five it does.
        { guard: { type: 'missIs', params: { reason: 'unsupportedLanguage' } }, actions: ['forgetMisses', 'sayMiss'] },
        { actions: ['forgetMisses', 'sayMiss', ...reprompt] },
      ],
      ANSWER: { actions: [say(NOTICES.notUnderstood), ...reprompt] },
      CHOOSE: { actions: [say(NOTICES.staleButton), ...reprompt] },
      BACK: goBack(reprompt),
    };
  }

  /** Every move but another miss ends a run of misses: each of these transitions forgets them first. */
  function forgettingMisses(on: Record<string, Transition | Transition[]>) {
    const forget = (transition: Transition): Transition => ({
      ...transition,
      actions: ['forgetMisses', ...(transition.actions ?? [])],
    });
    const forgetting = (transitions: Transition | Transition[]) =>
      Array.isArray(transitions) ? transitions.map(forget) : forget(transitions);
    return Object.fromEntries(
      Object.entries(on).map(([event, transitions]) => [
        event,
        event === 'CLARIFY' || event === 'UNKNOWN' ? transitions : forgetting(transitions),
      ]),
    );
  }

  function goBack(reprompt: Action[]) {
    return [
      ...[...messageNodes, ...formNodes].map((node) => ({
        guard: { type: 'trailTopIs', params: { node } },
        target: `#${node}`,
        reenter: true,
        actions: ['popTrail'],
      })),
      { actions: [say(NOTICES.nothingToGoBack), ...reprompt] },
    ];
  }

  const meta = (
    node: string,
    topic: string,
    expecting: string | null,
    choices: Choice[],
    offerLanguages = false,
    answers: Pick<StateMeta, 'yes' | 'no' | 'remind'> = {},
  ): StateMeta => ({
    node,
    topic,
    expecting,
    choices,
    offerLanguages,
    ...answers,
  });

  function messageState(id: string, node: MessageNode) {
    const full: Action[] = [...node.say.map((key) => say(key)), ...(node.prompt ? [say(node.prompt)] : [])];
    const reprompt: Action[] = node.prompt ? [say(node.prompt)] : [say(NOTICES.choicesAgain)];
    const choices: Choice[] = node.choices.map((choice) => ({ id: choice.goto, label: choice.label }));
    const moves = id === start ? [] : node.final ? [MENU_BUTTON] : [BACK_BUTTON, MENU_BUTTON];
    const base = everywhere(reprompt, full, id);
    const answers = {
      ...(node.yes ? { yes: node.yes } : {}),
      ...(node.no ? { no: node.no } : {}),
      ...(node.remind ? { remind: node.remind } : {}),
    };
    return {
      id,
      meta: meta(id, node.topic, null, [...choices, ...moves], node.offerLanguages ?? false, answers),
      entry: [...(node.final ? ['clearTrail'] : []), ...full],
      // A node that only says something hands over to the next, keeping the way back to where the user was.
      ...(node.then ? { always: { target: `#${node.then}` } } : {}),
      on: forgettingMisses({
        ...base,
        ...(node.goodbye ? farewell(id, node.goodbye, base) : {}),
        REPEAT: { actions: [say(NOTICES.choicesAgain), ...(node.prompt ? [say(node.prompt)] : [])] },
        CHOOSE: [
          ...node.choices.flatMap((choice) => {
            const chosen = { type: 'choiceIs', params: { id: choice.goto } };
            const go = {
              target: `#${choice.goto}`,
              reenter: true,
              actions: [{ type: 'pushTrail', params: { from: id, to: choice.goto } }],
            };
            // Forms that ask for ID or secret numbers only open in a private chat.
            return asksForPrivateData(choice.goto)
              ? [
                  { guard: and([chosen, 'inPrivateChat']), ...go },
                  { guard: chosen, actions: [say(NOTICES.privateOnly), ...reprompt] },
                ]
              : [{ guard: chosen, ...go }];
          }),
          base.CHOOSE,
        ],
      }),
    };
  }

  /**
   * A greeting, or the node's own topic typed again — even half-recognised ("ciao", "bye", "ciao ciao" after
   * "solved") — is a goodbye: said once, briefly.
   */
  function farewell(id: string, goodbye: string, base: ReturnType<typeof everywhere>) {
    const bye = { actions: ['forgetMisses', say(goodbye)] };
    return {
      GREET: bye,
      GOTO: [{ guard: { type: 'gotoIs', params: { node: id } }, ...bye }, ...base.GOTO],
      CLARIFY: [{ guard: { type: 'onlyCandidateIs', params: { node: id } }, ...bye }, ...base.CLARIFY],
    };
  }

  function formState(id: string, node: FormNode) {
    const cancel = { target: `#${start}`, reenter: true, actions: ['clearTrail', say(NOTICES.cancelled)] };
    const afterQuestions = node.confirm ? 'confirm' : 'run';
    const lastSlot = node.ask.at(-1)!.slot;
    const states: Record<string, unknown> = {};
    /** A secret answer asked before `step` that could not be read back: ask it again, then carry on from there. */
    const askSecretAgain = (before: number, toSummary: boolean) =>
      node.ask
        .slice(0, before)
        .filter((question) => validatorOf(question.slot).secret)
        .map((question) => ({
          guard: { type: 'secretLost', params: { slot: question.slot } },
          target: question.slot,
          reenter: true,
          actions: [say(NOTICES.secretAgain), ...(toSummary ? ['startCorrecting'] : [])],
        }));

    node.ask.forEach((question, index) => {
      const prompt = [say(question.prompt)];
      const previous = node.ask[index - 1];
      const next = node.ask[index + 1]?.slot ?? afterQuestions;
      const valid = { type: 'answerValid', params: { slot: question.slot } };
      const store = { type: 'storeAnswer', params: { slot: question.slot } };
      // "I don't have it": a button on the question, leading to the help, with the answers so far on hold.
      const missing: Choice[] = question.missing ? [{ id: 'missing', label: question.missing.label }] : [];
      states[question.slot] = {
        meta: meta(id, node.topic, question.slot, [...missing, BACK_BUTTON, CANCEL_BUTTON]),
        entry: prompt,
        exit: [{ type: 'suspendIfInterrupted', params: { form: id, step: question.slot } }],
        on: forgettingMisses({
          ...everywhere(prompt, prompt, id),
          GOTO: goTo(id, [say(NOTICES.onHold)]),
          MENU: { target: `#${start}`, reenter: true, actions: [say(NOTICES.onHold), 'clearTrailOnly'] },
          ...(question.missing
            ? {
                CHOOSE: [
                  {
                    guard: { type: 'choiceIs', params: { id: 'missing' } },
                    target: `#${question.missing.goto}`,
                    reenter: true,
                    actions: [{ type: 'pushTrail', params: { from: id, to: question.missing.goto } }],
                  },
                  { actions: [say(NOTICES.staleButton), ...prompt] },
                ],
              }
            : {}),
          CANCEL: cancel,
          SECRETS_LOST: askSecretAgain(index, false),
          ANSWER: [
            ...(node.confirm
              ? [{ guard: and([valid, 'correcting']), target: 'confirm', actions: [store, 'stopCorrecting'] }]
              : []),
            { guard: valid, target: next, actions: [store] },
            { actions: [{ type: 'sayWhyInvalid', params: { slot: question.slot } }, ...prompt] },
          ],
          BACK: [
            ...(node.confirm ? [{ guard: 'correcting', target: 'confirm', actions: ['stopCorrecting'] }] : []),
            ...(previous ? [{ target: previous.slot, reenter: true }] : goBack(prompt)),
          ],
        }),
      };
    });

    if (node.confirm) {
      const summary = [say(node.confirm.summary)];
      const send: Choice = { id: 'send', label: node.confirm.send };
      const edits: Choice[] = node.ask.map((question) => ({ id: `edit:${question.slot}`, label: question.edit! }));
      states.confirm = {
        meta: meta(id, node.topic, 'confirm', [send, ...edits, CANCEL_BUTTON], false, { yes: send.id }),
        entry: summary,
        exit: [{ type: 'suspendIfInterrupted', params: { form: id, step: 'confirm' } }],
        on: forgettingMisses({
          ...everywhere(summary, summary, id),
          GOTO: goTo(id, [say(NOTICES.onHold)]),
          CANCEL: cancel,
          SECRETS_LOST: askSecretAgain(node.ask.length, true),
          CHOOSE: [
            { guard: { type: 'choiceIs', params: { id: 'send' } }, target: 'run' },
            ...node.ask.map((question) => ({
              guard: { type: 'choiceIs', params: { id: `edit:${question.slot}` } },
              target: question.slot,
              actions: ['startCorrecting'],
            })),
            { actions: [say(NOTICES.staleButton), ...summary] },
          ],
          BACK: { target: lastSlot, reenter: true },
        }),
      };
    }

    states.run = {
      tags: ['busy'],
      meta: meta(id, node.topic, null, []),
      entry: ['markSent'],
      invoke: {
        id: `${id}.call`,
        src: node.action,
        input: ({ context, event }: { context: DialogContext; event: DialogEvent }): AccountCallInput => ({
          slots: { ...context.slots },
          locale: context.sentIn ?? event.locale,
          turnId: event.turnId,
          budgetMs: serviceTimeoutMs,
          ...(event.requester ? { requester: event.requester } : {}),
        }),
        onDone: [
          ...Object.entries(node.outcomes).map(([outcome, target]) => ({
            guard: { type: 'outcomeIs', params: { outcome } },
            target: `#${target}`,
            actions: ['storeResult', { type: 'arriveAt', params: { node: target } }],
          })),
          { target: 'failed' },
        ],
        onError: { target: 'failed' },
      },
      // Every turn is answered in time, whatever the service does.
      after: { serviceTimeout: { target: 'failed' } },
    };

    const failure = [say(node.onError)];
    states.failed = {
      meta: meta(id, node.topic, null, [{ id: 'retry', label: BUTTONS.tryAgain }, MENU_BUTTON]),
      entry: failure,
      on: forgettingMisses({
        ...everywhere(failure, failure, id),
        CANCEL: cancel,
        SECRETS_LOST: askSecretAgain(node.ask.length, Boolean(node.confirm)),
        CHOOSE: [
          { guard: { type: 'choiceIs', params: { id: 'retry' } }, target: 'run' },
          { actions: [say(NOTICES.staleButton), ...failure] },
        ],
        BACK: { target: afterQuestions === 'run' ? lastSlot : 'confirm', reenter: true },
      }),
    };

    // Entering a form either picks up where it was left for another topic, or starts it afresh.
    const steps = [...node.ask.map((question) => question.slot), ...(node.confirm ? ['confirm'] : [])];
    states[RESUME_STEP] = {
      always: [
        ...steps.map((step) => ({
          guard: { type: 'suspendedAt', params: { form: id, step } },
          target: step,
          actions: ['resume', say(NOTICES.resumed)],
        })),
        { target: node.ask[0]!.slot, actions: ['dropSuspended', ...(node.intro ? [say(node.intro)] : [])] },
      ],
    };
    return {
      id,
      initial: RESUME_STEP,
      entry: ['beginForm'],
      exit: ['endForm'],
      states,
    };
  }

  const startNode = dialog.nodes[start];
  const offerLanguages =
    startNode && !isFormNode(startNode) && startNode.offerLanguages ? [say(NOTICES.languageOffer)] : [];
  const states: Record<string, unknown> = {
    [START_STATE]: {
      meta: meta(START_STATE, 'menu', null, []),
      // The welcome, and once (not on every menu) the other languages the bot speaks.
      on: { '*': { target: `#${start}`, actions: [say(NOTICES.welcome), ...offerLanguages] } },
    },
  };
  for (const [id, node] of Object.entries(dialog.nodes)) {
    states[id] = isFormNode(node) ? formState(id, node) : messageState(id, node);
  }

  return machineSetup.createMachine({
    id: 'helpdesk',
    initial: START_STATE,
    context: { trail: [], slots: {}, correcting: false, result: {} },
    // The config is generated from content, so its shape is checked by the content loader, not the compiler.
    states: states as GeneratedStates,
  });
}

export type DialogMachine = ReturnType<typeof buildMachine>;
