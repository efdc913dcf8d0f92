import type { i18n } from 'i18next';
import { createActor, waitFor, type Actor, type SnapshotFrom, type StateValue } from 'xstate';
import { DEFAULT_LANGUAGE, LANGUAGES, languageOf, type Language } from '../dialog/languages';
import type { Content } from '../content/loadContent';
import { isFormNode } from '../content/dialogSchema';
import { NOTICES, BUTTONS } from '../dialog/systemKeys';
import { asksForPrivateNumbers, buildMachine, type DialogMachine } from '../machine/buildMachine';
import type { DialogContext, DialogEvent, Say, StateMeta } from '../machine/types';
import { languageModelOf } from '../nlu/fromContent';
import type { AccountService } from '../accountService/accountService';
import { accountActors } from './accountCalls';
import { resolveLanguage, type ResolvedLanguage } from './language';
import { Renderer } from './render';
import {
  heardOf,
  THRESHOLDS,
  Understanding,
  wordCount,
  type Heard,
  type Understood,
  type UserMessage,
} from './understand';
import type { LanguageGuess } from '../nlu/model';
import { isSealedSlots, SlotSeal, type SealedSlots } from './sealedSlots';
import { conversationOfTurn } from './turnId';

/**
 * What is kept between turns for one conversation: only what the machine cannot rebuild, versioned. The
 * machine's status, history and children are the same for every stored conversation, and are not kept.
 */
export interface StoredDialog {
  v: 2;
  /** Version of the content the state was stored under; under other content, nodes now gone are forgotten. */
  content: string;
  /** The state the conversation rests in: "menu", or "helpdeskRequest.examDate" for a question of a form. */
  state: string;
  /** The machine's context without its defaults (no trail, no slots, not correcting, no result). */
  context: Partial<DialogContext>;
  /** The form's secret answers, kept out of the context and encrypted while they wait for the next turn. */
  sealed?: SealedSlots;
}

/** Dialogs stored before the compact format kept xstate's whole persisted snapshot. */
interface StoredDialogVersion1 {
  v: 1;
  content: string;
  snapshot: unknown;
  /** Before the clarification moved into the machine, its counters were kept beside the snapshot. */
  offered?: { nodes?: unknown };
  sealed?: SealedSlots;
  misses?: unknown;
}

export interface TurnRequest {
  stored?: StoredDialog;
  /** The language the user chose earlier, if any. */
  preferredLanguage?: Language;
  /** The channel's locale for the user ("de-DE"). */
  channelLocale?: string;
  timeZone?: string;
  /** The user's message; absent when the channel only announces a new conversation. */
  message?: UserMessage;
  /** Unique per incoming activity; keys the account-service calls so a redelivery does them once. */
  turnId: string;
  /** False in group chats and team channels: ID and secret numbers are then not asked for. */
  privateChat?: boolean;
  /** An opaque, stable key of the person writing (never their raw id), for limits across conversations. */
  requester?: string;
}

export interface Button {
  id: string;
  /** The content key of the button's text. */
  label: string;
  title: string;
  /** The payload a card button sends back. */
  value: { choice: string; state: string } | { language: Language } | { goto: string };
  /** Set when the button opens a form that asks for ID or secret numbers, which works only in a private chat. */
  privateOnly?: true;
}

export interface Trace {
  topic: string;
  state: string;
  locale: Language;
  expecting: string | null;
  /** What the free-text model made of the message, when it was asked. */
  understood?: { intent: string; p: number };
  /** The language the message was written in, when it was worth telling. */
  written?: { language: Language | 'other'; p: number };
}

export interface TurnResult {
  messages: string[];
  /** The content keys behind `messages`, one per message. */
  said: string[];
  buttons: Button[];
  stored: StoredDialog;
  language: Language;
  /** Set when the user chose a language in this turn; remember it for them. */
  chosenLanguage?: Language;
  /** A message to send in this conversation later, at `at` (the end of a lock), with the main menu's buttons. */
  reminder?: { at: string; text: string; buttons: Button[] };
  trace: Trace;
  /** How the message was read, when there was one. */
  heard?: Heard;
}

export interface EngineOptions {
  content: Content;
  i18n: i18n;
  accountService: AccountService;
  now?: () => Date;
  serviceTimeoutMs?: number;
  /** Encrypts secret answers between turns; a random key for this process when not given. */
  seal?: SlotSeal;
}

/** The fewest words with which the written language can switch the reply's or be one the bot does not speak. */
const GUESS_FROM_WORDS = Math.min(THRESHOLDS.otherWords, THRESHOLDS.switchWords);

type DialogActor = Actor<DialogMachine>;
type DialogSnapshot = SnapshotFrom<DialogMachine>;

/** A stored conversation taken up again: its snapshot, and the secret answers it had but could not read back. */
interface Restored {
  snapshot: DialogSnapshot;
  lost: string[];
  /** The step it rested in is gone from the content now live: it is taken back to the menu, with a notice. */
  stepGone?: true;
}

/** What the turn worked out before rendering: the reply's language, and what the model made of the message. */
interface Step extends ResolvedLanguage {
  written?: LanguageGuess;
  via?: Trace['understood'];
  heard?: Heard;
}

interface StateNodeLike {
  states: Record<string, StateNodeLike>;
}

/** All a reply to a message in a language the bot does not speak says. */
const UNSUPPORTED_REPLY: ReadonlySet<string> = new Set([NOTICES.welcome, NOTICES.unsupportedLanguage]);

/** Runs one turn of a conversation: restore, understand, step the machine, render, persist. */
export class ConversationEngine {
  readonly machine: DialogMachine;
  /** Reads messages for this content; the chat preview uses it to tell commands and languages apart too. */
  readonly understanding: Understanding;
  /** The text key that names each node on a button. */
  private readonly titles: Map<string, string>;
  private readonly renderer: Renderer;
  /** Button texts by language and key. */
  private readonly buttonTexts = new Map<string, string>();
  private readonly now: () => Date;
  private readonly settleTimeoutMs: number;
  private readonly seal: SlotSeal;
  /** Slots whose answers are secret: stored only encrypted. */
  private readonly secretSlots: Set<string>;

  constructor(private readonly options: EngineOptions) {
    this.now = options.now ?? (() => new Date());
    this.settleTimeoutMs = (options.serviceTimeoutMs ?? 4000) + 1000;
    this.seal = options.seal ?? new SlotSeal();
    this.machine = buildMachine(options.content, { now: this.now, serviceTimeoutMs: options.serviceTimeoutMs }).provide(
      {
        actors: accountActors(options.accountService),
      },
    );
    const { content } = options;
    const messageNodes = Object.entries(content.dialog.nodes).filter(([, node]) => !isFormNode(node));
    this.titles = new Map();
    for (const [id, node] of messageNodes) {
      if (!isFormNode(node) && node.title) this.titles.set(id, node.title);
    }
    // A node without a title of its own is named as the first button leading to it (the main menu's first).
    const start = content.dialog.nodes[content.dialog.start]!;
    for (const [, node] of [[content.dialog.start, start] as const, ...messageNodes]) {
      if (isFormNode(node)) continue;
      for (const choice of node.choices) if (!this.titles.has(choice.goto)) this.titles.set(choice.goto, choice.label);
    }
    const freeTextSlots = new Set(
      Object.entries(content.slotValidators)
        .filter(([, name]) => content.validators[name]!.kind === 'text')
        .map(([slot]) => slot),
    );
    this.understanding = new Understanding({
      i18n: options.i18n,
      model: languageModelOf(content),
      nodes: new Set(messageNodes.map(([id]) => id).filter((id) => this.titles.has(id) || id === content.dialog.start)),
      titles: this.titles,
      isAnswer: (slot, text) => content.validators[content.slotValidators[slot]!]!.validate(text, this.now()).ok,
      isShapedAnswer: (slot, text) => content.validators[content.slotValidators[slot]!]!.shaped(text),
      freeTextSlots,
    });
    this.renderer = new Renderer(options.i18n);
    this.secretSlots = new Set(
      Object.entries(content.slotValidators)
        .filter(([, name]) => content.validators[name]!.secret)
        .map(([slot]) => slot),
    );
  }

  /**
   * How a channel shows back (and so keeps) the answer to the question now asked, when the content marks it
   * private: "full" (a secret), "partial" (an ID number), or undefined.
   */
  answerMask(expecting: string | null): 'partial' | 'full' | undefined {
    const { content } = this.options;
    const name = expecting ? content.slotValidators[expecting] : undefined;
    const mask = name ? content.validators[name]?.mask : undefined;
    return mask === 'partial' || mask === 'full' ? mask : undefined;
  }

  async turn(request: TurnRequest): Promise<TurnResult> {
    const conversation = conversationOfTurn(request.turnId);
    const restored = this.restore(request.stored, conversation);
    const actor = createActor(this.machine, restored ? { snapshot: restored.snapshot } : {});
    const said: Say[] = [];
    actor.on('say', (event) => said.push(event));
    actor.start();
    try {
      const step = await this.understandAndSend(actor, request, restored);
      return this.render(actor.getSnapshot(), said, step, request, conversation);
    } finally {
      actor.stop();
    }
  }

  /** Works out the reply's language, reads the message and sends the machine what it means. */
  private async understandAndSend(
    actor: DialogActor,
    request: TurnRequest,
    restored: Restored | undefined,
  ): Promise<Step> {
    const { message } = request;
    const text = message?.text?.trim() ?? '';
    const current = this.current(actor.getSnapshot());
    const answering = current.meta.expecting !== null && current.meta.expecting !== 'confirm';
    // The language a message is written in matters only where it can change the reply's: when nothing else
    // says the language, or for a message long enough to switch it or to be in a language the bot does not
    // speak, and never for an answer. A click, a number or a command word is not worth guessing about.
    const known = request.preferredLanguage ?? languageOf(request.channelLocale);
    const worthGuessing = text && !message?.value && (!known || (!answering && wordCount(text) >= GUESS_FROM_WORDS));
    const written = worthGuessing ? this.understanding.detectLanguage(text) : undefined;
    const resolved = resolveLanguage({
      ...(request.preferredLanguage ? { preferred: request.preferredLanguage } : {}),
      ...(request.channelLocale ? { locale: request.channelLocale } : {}),
      ...(written ? { written } : {}),
      answering,
    });
    const step: Step = { ...resolved, ...(written ? { written } : {}) };
    const meta = () => ({
      locale: step.language,
      turnId: request.turnId,
      privateChat: request.privateChat !== false,
      ...(request.requester ? { requester: request.requester } : {}),
    });
    const send = async (event: DialogEvent) => {
      actor.send(event);
      // Most steps settle at once; only a call to the account service keeps the machine busy for a while.
      if (actor.getSnapshot().hasTag('busy'))
        await waitFor(actor, (snapshot) => !snapshot.hasTag('busy'), { timeout: this.settleTimeoutMs });
    };
    const apply = async ({ via, ...understood }: Understood) => {
      if (via) step.via = via;
      if (understood.type === 'LANGUAGE') {
        step.language = step.chosen = understood.language;
        delete step.switchedFrom;
      }
      await send({ ...understood, ...meta() });
    };

    if (restored?.stepGone) {
      // The message was meant for a step that is gone: the menu, after a notice; a form on hold stays on hold.
      await send({ type: 'STEP_GONE', ...meta() });
      return step;
    }
    if (restored && restored.lost.length > 0) {
      // The secret answers are gone: ask for them again; the message was meant for a step that needs them.
      await send({ type: 'SECRETS_LOST', slots: restored.lost, ...meta() });
      if (this.current(actor.getSnapshot()).id !== current.id) return step;
    }
    if (!restored) {
      // A new conversation always opens with the welcome; a language named in the first message sets it first.
      const asked = this.understanding.languageRequest(message?.text) ?? languageInValue(message?.value);
      if (asked) step.language = step.chosen = asked;
      if (asked && message) step.heard = message.value !== undefined ? 'button' : 'command';
      if (step.unsupported) step.language = DEFAULT_LANGUAGE;
      await send({ type: 'START', locale: step.language, turnId: request.turnId });
      if (message && !asked && !step.unsupported) {
        const understood = this.understanding.understand(message, this.current(actor.getSnapshot()), step.language);
        step.heard = heardOf(message, understood);
        // A greeting as the first message is answered by the welcome itself: one welcome, not two.
        if (understood.type !== 'UNKNOWN' && understood.type !== 'GREET') await apply(understood);
      }
    } else if (message) {
      const offered = actor.getSnapshot().context.offered ?? [];
      const understood = this.understanding.understand(message, current, step.language, offered);
      step.heard = heardOf(message, understood);
      // Written in a language the bot does not speak, and nothing in it surely understood: say so in English.
      const unsure =
        understood.type === 'UNKNOWN' || (understood.via !== undefined && understood.via.p < THRESHOLDS.interrupt);
      // Surely understood all the same: the answer alone, not also "I can only chat in…" (one clear reply).
      if (!step.unsupported || !unsure) {
        await apply(understood);
        return step;
      }
      step.language = DEFAULT_LANGUAGE;
    } else {
      await send({ type: 'START', locale: step.language, turnId: request.turnId });
    }
    if (step.unsupported && step.language === DEFAULT_LANGUAGE && !step.chosen) {
      await send({ type: 'UNKNOWN', reason: 'unsupportedLanguage', ...meta() });
      step.fromText = true;
      if (message) step.heard = 'notUnderstood';
    }
    return step;
  }

  /** The reply: texts in the turn's language, its buttons, a reminder to send later, what to store, the trace. */
  private render(
    snapshot: DialogSnapshot,
    said: Say[],
    step: Step,
    request: TurnRequest,
    conversation: string,
  ): TurnResult {
    const { language, chosen, switchedFrom, written } = step;
    if (switchedFrom) said.unshift({ type: 'say', key: NOTICES.languageSwitched });
    const unsupported = said.some((say) => say.key === NOTICES.unsupportedLanguage);
    // Written in a language the bot does not speak: one clear reply, the languages it does speak (after a welcome).
    if (unsupported) said.splice(0, said.length, ...said.filter((say) => UNSUPPORTED_REPLY.has(say.key)));
    const { id, meta } = this.current(snapshot);
    const { offered } = snapshot.context;
    const messages = this.renderer.render(said, {
      language,
      timeZone: request.timeZone,
      now: this.now(),
      links: this.options.content.dialog.links,
    });
    const buttons = unsupported
      ? this.languageButtons(LANGUAGES)
      : offered
        ? this.offeredButtons(offered, language)
        : [...this.buttons(id, meta, language), ...(switchedFrom ? this.languageButtons([switchedFrom]) : [])];
    const reminder = meta.remind ? this.reminder(meta.remind, said, language, request.timeZone) : undefined;
    return {
      messages,
      said: said.map((say) => say.key),
      buttons,
      stored: this.persist(snapshot, conversation),
      language,
      ...(chosen ? { chosenLanguage: chosen } : {}),
      ...(reminder ? { reminder } : {}),
      ...(step.heard ? { heard: step.heard } : {}),
      trace: {
        topic: meta.topic,
        state: id,
        locale: language,
        expecting: meta.expecting,
        ...(step.via ? { understood: step.via } : {}),
        ...(written && step.fromText
          ? { written: { language: written.language, p: Math.round(written.p * 1000) / 1000 } }
          : {}),
      },
    };
  }

  /** The node's reminder, when what it said this turn names a time still to come. */
  private reminder(
    key: string,
    said: readonly Say[],
    language: Language,
    timeZone: string | undefined,
  ): TurnResult['reminder'] {
    const now = this.now();
    for (const say of said) {
      for (const value of Object.values(say.params ?? {})) {
        if (typeof value !== 'object' || !('instant' in value) || new Date(value.instant) <= now) continue;
        const [text] = this.renderer.render([{ type: 'say', key, params: say.params! }], {
          language,
          timeZone,
          now,
          links: this.options.content.dialog.links,
        });
        return { at: value.instant, text: text!, buttons: this.menuButtons(language) };
      }
    }
    return undefined;
  }

  /** The main menu's choices as buttons that lead there from wherever the conversation is when they are used. */
  private menuButtons(language: Language): Button[] {
    const menu = this.options.content.dialog.nodes[this.options.content.dialog.start]!;
    return isFormNode(menu)
      ? []
      : this.offeredButtons(
          menu.choices.map((choice) => choice.goto),
          language,
        );
  }

  /** "Did you mean" candidates, or the way out after two misses, as buttons that go straight there. */
  private offeredButtons(offered: readonly string[], language: Language): Button[] {
    return offered.map((node) => {
      const label = node === this.options.content.dialog.start ? BUTTONS.menu : this.titles.get(node)!;
      return { id: `@goto:${node}`, label, title: this.title(language, label), value: { goto: node } };
    });
  }

  /** Buttons that switch to each of these languages, each named in its own language. */
  private languageButtons(languages: readonly Language[]): Button[] {
    return languages.map((other) => ({
      id: `@language:${other}`,
      label: 'common:language.name',
      title: this.title(other, 'common:language.name'),
      value: { language: other },
    }));
  }

  /** A button's text: the same for every turn of this content, so looked up once per language. */
  private title(language: Language, key: string): string {
    const cacheKey = `${language}|${key}`;
    let title = this.buttonTexts.get(cacheKey);
    if (title === undefined) {
      title = this.options.i18n.getFixedT(language)(key);
      this.buttonTexts.set(cacheKey, title);
    }
    return title;
  }

  /** The state the conversation rests in and its description. */
  private current(snapshot: DialogSnapshot): { id: string; meta: StateMeta } {
    const meta = Object.values(snapshot.getMeta()).find((candidate): candidate is StateMeta => Boolean(candidate));
    if (!meta) throw new Error(`State ${JSON.stringify(snapshot.value)} has no description`);
    return { id: statePath(snapshot.value), meta };
  }

  private buttons(state: string, meta: StateMeta, language: Language): Button[] {
    const buttons: Button[] = meta.choices.map((choice) => ({
      id: choice.id,
      label: choice.label,
      title: this.title(language, choice.label),
      value: { choice: choice.id, state },
      ...(!choice.event && asksForPrivateNumbers(this.options.content, choice.id)
        ? { privateOnly: true as const }
        : {}),
    }));
    return buttons;
  }

  /** What is kept of the turn: the compact state, with the form's secret answers taken out and encrypted. */
  private persist(snapshot: DialogSnapshot, conversation: string): StoredDialog {
    const stored: StoredDialog = {
      v: 2,
      content: this.options.content.version,
      state: statePath(snapshot.value),
      context: withoutDefaults(snapshot.context),
    };
    const entries = Object.entries(snapshot.context.slots);
    const secret = entries.filter(([slot]) => this.secretSlots.has(slot));
    if (secret.length === 0) return stored;
    const slots = Object.fromEntries(entries.filter(([slot]) => !this.secretSlots.has(slot)));
    return {
      ...stored,
      context: withoutDefaults({ ...snapshot.context, slots }),
      sealed: this.seal.seal(Object.fromEntries(secret), conversation),
    };
  }

  /** A stored dialog, if it still fits the current content; otherwise the conversation starts afresh. */
  private restore(stored: StoredDialog | StoredDialogVersion1 | undefined, conversation: string): Restored | undefined {
    const parts = partsOf(stored);
    if (!parts || !isContext(parts.context)) return undefined;
    // Its step removed by a publish since: back to the menu (with a notice), what else it had kept.
    const changed = parts.content !== this.options.content.version;
    const stepGone = !stateExists(this.machine.root, parts.value);
    if (stepGone && !changed) return undefined;
    // Stored only between turns, never mid-call; a dialog caught there resumes at the form's failure step.
    const value = stepGone
      ? this.options.content.dialog.start
      : statePath(parts.value).endsWith('.run')
        ? replaceLeaf(parts.value, 'failed')
        : parts.value;
    const context = { ...parts.context };
    const sealed = stored && 'sealed' in stored && isSealedSlots(stored.sealed) ? stored.sealed : undefined;
    const opened = sealed && this.seal.unseal(sealed, conversation);
    if (opened) context.slots = { ...context.slots, ...opened };
    // Stored under other content: carry on where the state still exists, forgetting the nodes that do not.
    const current = changed ? this.withoutRemovedNodes(context) : context;
    return {
      snapshot: this.machine.resolveState({ value: value as StateValue, context: current }),
      lost: sealed && !opened ? sealed.slots : [],
      ...(stepGone ? { stepGone: true as const } : {}),
    };
  }

  /** The context without the nodes this content no longer has: the way back, a form on hold, what was offered. */
  private withoutRemovedNodes(context: DialogContext): DialogContext {
    const { nodes } = this.options.content.dialog;
    const { suspended, offered, ...rest } = context;
    const form = suspended ? nodes[suspended.form] : undefined;
    const steps =
      form && isFormNode(form)
        ? [...form.ask.map((question) => question.slot), ...(form.confirm ? ['confirm'] : [])]
        : [];
    const kept = offered?.filter((node) => node in nodes) ?? [];
    return {
      ...rest,
      trail: context.trail.filter((node) => node in nodes),
      ...(suspended && steps.includes(suspended.step) ? { suspended } : {}),
      ...(kept.length > 0 ? { offered: kept } : {}),
    };
  }
}

/** The content version, state value and full context of a stored dialog, in either format. */
function partsOf(
  stored: StoredDialog | StoredDialogVersion1 | undefined,
): { content: string; value: unknown; context: unknown } | undefined {
  if (!stored || typeof stored !== 'object') return undefined;
  if (stored.v === 2) {
    if (typeof stored.state !== 'string' || !stored.state || !stored.context || typeof stored.context !== 'object')
      return undefined;
    const context = { trail: [], slots: {}, correcting: false, result: {}, ...stored.context };
    return { content: stored.content, value: stateValue(stored.state), context };
  }
  if (stored.v !== 1 || !stored.snapshot || typeof stored.snapshot !== 'object') return undefined;
  const snapshot = stored.snapshot as { status?: unknown; value?: unknown; context?: unknown };
  if (snapshot.status !== 'active' || !snapshot.context || typeof snapshot.context !== 'object') return undefined;
  return {
    content: stored.content,
    value: snapshot.value,
    context: { ...snapshot.context, ...earlierClarification(stored) },
  };
}

/** The context as stored: what differs from a new conversation's. */
function withoutDefaults(context: DialogContext): Partial<DialogContext> {
  const { trail, slots, correcting, result, ...rest } = context;
  return {
    ...(trail.length > 0 ? { trail } : {}),
    ...(Object.keys(slots).length > 0 ? { slots } : {}),
    ...(correcting ? { correcting } : {}),
    ...(Object.keys(result).length > 0 ? { result } : {}),
    ...rest,
  };
}

/** "helpdeskRequest.examDate" → { helpdeskRequest: "examDate" }. */
function stateValue(path: string): StateValue {
  const [head, ...rest] = path.split('.');
  return rest.length === 0 ? head! : { [head!]: stateValue(rest.join('.')) };
}

/** The counters an earlier stored dialog kept beside its snapshot, for the machine's context. */
function earlierClarification(stored: StoredDialogVersion1): Pick<DialogContext, 'misses' | 'offered'> {
  const nodes = stored.offered?.nodes;
  return {
    ...(typeof stored.misses === 'number' && stored.misses > 0 ? { misses: stored.misses } : {}),
    ...(Array.isArray(nodes) && nodes.every((node) => typeof node === 'string') ? { offered: nodes } : {}),
  };
}

function languageInValue(value: unknown): Language | undefined {
  const language = value && typeof value === 'object' ? (value as { language?: unknown }).language : undefined;
  return LANGUAGES.find((candidate) => candidate === language);
}

function isContext(value: unknown): value is DialogContext {
  if (!value || typeof value !== 'object') return false;
  const context = value as Record<string, unknown>;
  return (
    Array.isArray(context.trail) &&
    typeof context.slots === 'object' &&
    context.slots !== null &&
    typeof context.correcting === 'boolean' &&
    typeof context.result === 'object' &&
    context.result !== null
  );
}

function stateExists(node: StateNodeLike, value: unknown): boolean {
  if (typeof value === 'string') return Boolean(node.states[value]);
  if (!value || typeof value !== 'object') return false;
  const entries = Object.entries(value as Record<string, unknown>);
  return (
    entries.length === 1 &&
    Boolean(node.states[entries[0]![0]]) &&
    stateExists(node.states[entries[0]![0]]!, entries[0]![1])
  );
}

function replaceLeaf(value: unknown, leaf: string): unknown {
  if (typeof value === 'string') return leaf;
  const [key, child] = Object.entries(value as Record<string, unknown>)[0]!;
  return { [key]: replaceLeaf(child, leaf) };
}

/** "menu", or "helpdeskRequest.examDate" for a question inside a form. */
export function statePath(value: unknown): string {
  if (typeof value === 'string') return value;
  const [key, child] = Object.entries(value as Record<string, unknown>)[0]!;
  return `${key}.${statePath(child)}`;
}
