import type { i18n } from 'i18next';
import { createActor, waitFor, type Snapshot } from 'xstate';
import { DEFAULT_LANGUAGE, LANGUAGES, type Language } from '../dialog/languages';
import type { Content } from '../content/loadContent';
import { isFormNode } from '../content/dialogSchema';
import { NOTICES, BUTTONS } from '../dialog/systemKeys';
import { buildMachine, type DialogMachine } from '../machine/buildMachine';
import type { DialogEvent, Say, StateMeta } from '../machine/types';
import { understandingOf } from '../nlu/fromContent';
import type { AccountService } from '../accountService/accountService';
import { accountActors } from './accountActions';
import { Interpreter } from './interpret';
import { resolveLanguage } from './language';
import { Renderer } from './render';
import { Understanding, type Offered, type Understood, type UserMessage } from './understand';

/** What is kept between turns for one conversation: small, versioned. */
export interface StoredDialog {
  v: 1;
  /** Version of the dialog content the snapshot was taken with. */
  content: string;
  snapshot: unknown;
  /** "Did you mean" candidates offered in the last reply, so a typed number or title picks one. */
  offered?: Offered;
  /** Messages in a row the bot did not understand; at two it offers the menu and a person. */
  misses?: number;
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
}

export interface Button {
  id: string;
  /** The content key of the button's text. */
  label: string;
  title: string;
  /** The payload a card button sends back. */
  value: { choice: string; state: string } | { language: Language } | { goto: string };
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
  /** A message to send in this conversation later, at `at` (the end of a lock). */
  reminder?: { at: string; text: string };
  trace: Trace;
}

export interface EngineOptions {
  content: Content;
  i18n: i18n;
  accountService: AccountService;
  now?: () => Date;
  serviceTimeoutMs?: number;
}

interface StateNodeLike {
  states: Record<string, StateNodeLike>;
}

/** Runs one turn of a conversation: restore, understand, step the machine, render, persist. */
export class ConversationEngine {
  readonly machine: DialogMachine;
  private readonly understanding: Understanding;
  private readonly interpreter: Interpreter;
  /** The text key that names each node on a button. */
  private readonly titles: Map<string, string>;
  private readonly renderer: Renderer;
  private readonly now: () => Date;
  private readonly settleTimeoutMs: number;

  constructor(private readonly options: EngineOptions) {
    this.now = options.now ?? (() => new Date());
    this.settleTimeoutMs = (options.serviceTimeoutMs ?? 4000) + 1000;
    this.machine = buildMachine(options.content, { now: this.now, serviceTimeoutMs: options.serviceTimeoutMs }).provide({
      actors: accountActors(options.accountService),
    });
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
    this.interpreter = new Interpreter(understandingOf(content));
    const freeTextSlots = new Set(Object.entries(content.slotValidators).filter(([, name]) => content.validators[name]!.kind === 'text').map(([slot]) => slot));
    this.understanding = new Understanding({
      i18n: options.i18n,
      interpreter: this.interpreter,
      nodes: new Set(messageNodes.map(([id]) => id).filter((id) => this.titles.has(id) || id === content.dialog.start)),
      titles: this.titles,
      isAnswer: (slot, text) => content.validators[content.slotValidators[slot]!]!.validate(text, this.now()).ok,
      freeTextSlots,
    });
    this.renderer = new Renderer(options.i18n);
  }

  async turn(request: TurnRequest): Promise<TurnResult> {
    const { message } = request;
    const restored = this.restore(request.stored);
    const actor = createActor(this.machine, restored ? { snapshot: restored } : {});
    const said: Say[] = [];
    actor.on('say', (event) => said.push(event));
    actor.start();

    const text = message?.text?.trim() ?? '';
    const current = this.current(actor.getSnapshot());
    const asking = current.meta.expecting !== null && current.meta.expecting !== 'confirm';
    const written = text && !message?.value ? this.interpreter.detectLanguage(text) : undefined;
    const resolved = resolveLanguage({
      ...(request.preferredLanguage ? { preferred: request.preferredLanguage } : {}),
      ...(request.channelLocale ? { locale: request.channelLocale } : {}),
      ...(written ? { written } : {}),
      answering: asking,
    });
    let { language, chosen: chosenLanguage, switchedFrom, fromText: languageFromText } = resolved;
    const { unsupported } = resolved;

    const send = async (event: DialogEvent) => {
      actor.send(event);
      await waitFor(actor, (snapshot) => !snapshot.hasTag('busy'), { timeout: this.settleTimeoutMs });
    };
    let offered: Offered | undefined;
    let misses = 0;
    let via: Trace['understood'];
    const notices: Say[] = [];
    const apply = async (understood: Understood) => {
      via = understood.via;
      const meta = { locale: language!, turnId: request.turnId, privateChat: request.privateChat !== false };
      if (understood.type === 'LANGUAGE') {
        language = understood.language;
        chosenLanguage = understood.language;
        switchedFrom = undefined;
        await send({ type: 'LANGUAGE', ...meta, locale: language });
      } else if (understood.type === 'CLARIFY' || (understood.type === 'UNKNOWN' && understood.reason === 'notUnderstood')) {
        // Never guess on a weak match, never loop: ask, and after two misses in a row offer a way out.
        misses = (request.stored?.misses ?? 0) + 1;
        if (misses >= 2) {
          notices.push({ type: 'say', key: NOTICES.stuck });
          const { start, handover } = this.options.content.dialog;
          offered = { nodes: [start, ...(handover ? [handover] : [])] };
        } else if (understood.type === 'CLARIFY') {
          notices.push({ type: 'say', key: NOTICES.didYouMean });
          offered = { nodes: understood.nodes };
        } else {
          await send({ type: 'UNKNOWN', reason: 'notUnderstood', ...meta });
        }
      } else {
        await send({ ...understood, ...meta } as DialogEvent);
      }
    };

    try {
      if (!restored) {
        // A new conversation always opens with the welcome; a language named in the first message sets it first.
        const asked = this.understanding.languageRequest(message?.text) ?? languageInValue(message?.value);
        if (asked) language = chosenLanguage = asked;
        if (unsupported) language = DEFAULT_LANGUAGE;
        await send({ type: 'START', locale: language, turnId: request.turnId });
        if (message && !asked && !unsupported) {
          const understood = this.understanding.understand(message, this.current(actor.getSnapshot()), language);
          if (understood.type !== 'UNKNOWN') await apply(understood);
        }
      } else if (message && unsupported && this.understanding.understand(message, current, language).type === 'UNKNOWN') {
        // Written in a language the bot does not speak: say so in English, and offer the five.
        language = DEFAULT_LANGUAGE;
      } else if (message) {
        await apply(this.understanding.understand(message, current, language, request.stored?.offered));
      } else {
        await send({ type: 'START', locale: language, turnId: request.turnId });
      }
      if (unsupported && language === DEFAULT_LANGUAGE && !chosenLanguage) {
        notices.push({ type: 'say', key: NOTICES.unsupportedLanguage });
        languageFromText = true;
      }
      if (switchedFrom) said.unshift({ type: 'say', key: NOTICES.languageSwitched });

      const snapshot = actor.getSnapshot();
      const { id, meta } = this.current(snapshot);
      const messages = this.renderer.render([...said, ...notices], {
        language,
        timeZone: request.timeZone,
        now: this.now(),
        links: this.options.content.dialog.links,
      });
      const buttons = unsupported && notices.some((say) => say.key === NOTICES.unsupportedLanguage)
        ? this.languageButtons(LANGUAGES)
        : offered
          ? this.offeredButtons(offered, language)
          : [...this.buttons(id, meta, language), ...(switchedFrom ? this.languageButtons([switchedFrom]) : [])];
      const reminder = meta.remind ? this.reminder(meta.remind, said, language, request.timeZone) : undefined;
      const stored: StoredDialog = { v: 1, content: this.options.content.version, snapshot: actor.getPersistedSnapshot() };
      if (offered) stored.offered = offered;
      if (misses > 0) stored.misses = misses;
      return {
        messages,
        said: [...said, ...notices].map((say) => say.key),
        buttons,
        stored,
        language,
        ...(chosenLanguage ? { chosenLanguage } : {}),
        ...(reminder ? { reminder } : {}),
        trace: {
          topic: meta.topic,
          state: id,
          locale: language,
          expecting: meta.expecting,
          ...(via ? { understood: via } : {}),
          ...(written && languageFromText ? { written: { language: written.language, p: Math.round(written.p * 1000) / 1000 } } : {}),
        },
      };
    } finally {
      actor.stop();
    }
  }

  /** "Did you mean" candidates, or the way out after two misses, as buttons that go straight there. */
  /** The node's reminder, when what it said this turn names a time still to come. */
  private reminder(key: string, said: readonly Say[], language: Language, timeZone: string | undefined): TurnResult['reminder'] {
    const now = this.now();
    for (const say of said) {
      for (const value of Object.values(say.params ?? {})) {
        if (typeof value !== 'object' || !('instant' in value) || new Date(value.instant) <= now) continue;
        const [text] = this.renderer.render([{ type: 'say', key, params: say.params! }], { language, timeZone, now, links: this.options.content.dialog.links });
        return { at: value.instant, text: text! };
      }
    }
    return undefined;
  }

  private offeredButtons(offered: Offered, language: Language): Button[] {
    const t = this.options.i18n.getFixedT(language);
    return offered.nodes.map((node) => {
      const label = node === this.options.content.dialog.start ? BUTTONS.menu : this.titles.get(node)!;
      return { id: `@goto:${node}`, label, title: t(label), value: { goto: node } };
    });
  }

  /** Buttons that switch to each of these languages, each named in its own language. */
  private languageButtons(languages: readonly Language[]): Button[] {
    return languages.map((other) => ({
      id: `@language:${other}`,
      label: 'common:language.name',
      title: this.options.i18n.getFixedT(other, 'common')('language.name'),
      value: { language: other },
    }));
  }

  /** The state the conversation rests in and its description. */
  private current(snapshot: ReturnType<typeof this.machine.resolveState>): { id: string; meta: StateMeta } {
    const meta = Object.values(snapshot.getMeta()).find((candidate): candidate is StateMeta => Boolean(candidate));
    if (!meta) throw new Error(`State ${JSON.stringify(snapshot.value)} has no description`);
    return { id: statePath(snapshot.value), meta };
  }

  private buttons(state: string, meta: StateMeta, language: Language): Button[] {
    const t = this.options.i18n.getFixedT(language);
    const buttons: Button[] = meta.choices.map((choice) => ({ id: choice.id, label: choice.label, title: t(choice.label), value: { choice: choice.id, state } }));
    if (meta.offerLanguages) buttons.push(...this.languageButtons(LANGUAGES.filter((candidate) => candidate !== language)));
    return buttons;
  }

  /** A stored snapshot, if it still fits the current content; otherwise the conversation starts afresh. */
  private restore(stored: StoredDialog | undefined): Snapshot<unknown> | undefined {
    if (!stored || stored.v !== 1 || !stored.snapshot || typeof stored.snapshot !== 'object') return undefined;
    const snapshot = stored.snapshot as { status?: unknown; value?: unknown; context?: unknown };
    if (snapshot.status !== 'active' || !isContext(snapshot.context)) return undefined;
    if (!stateExists(this.machine.root as unknown as StateNodeLike, snapshot.value)) return undefined;
    // Snapshots are stored only between turns, never mid-call; one caught there resumes at the form's failure step.
    const value = statePath(snapshot.value).endsWith('.run') ? replaceLeaf(snapshot.value, 'failed') : snapshot.value;
    return this.machine.resolveState({ value: value as never, context: snapshot.context });
  }
}

function languageInValue(value: unknown): Language | undefined {
  const language = value && typeof value === 'object' ? (value as { language?: unknown }).language : undefined;
  return LANGUAGES.find((candidate) => candidate === language);
}

function isContext(value: unknown): value is { trail: string[]; slots: Record<string, string>; correcting: boolean; result: Record<string, string> } {
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
  return entries.length === 1 && Boolean(node.states[entries[0]![0]]) && stateExists(node.states[entries[0]![0]]!, entries[0]![1]);
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
