import type { i18n } from 'i18next';
import { createActor, waitFor, type Snapshot } from 'xstate';
import { DEFAULT_LANGUAGE, LANGUAGES, languageOf, type Language } from '../content/languages';
import type { Content } from '../content/loadContent';
import { buildMachine, type DialogMachine } from '../machine/buildMachine';
import type { DialogEvent, Say, StateMeta } from '../machine/types';
import type { AccountService } from '../services/accountService';
import { accountActors } from './accountActions';
import { Renderer } from './render';
import { Understanding, type Understood, type UserMessage } from './understand';

/** What is kept between turns for one conversation: small, versioned. */
export interface StoredDialog {
  v: 1;
  /** Version of the dialog content the snapshot was taken with. */
  content: string;
  snapshot: unknown;
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
  value: { choice: string; state: string } | { language: Language };
}

export interface Trace {
  topic: string;
  state: string;
  locale: Language;
  expecting: string | null;
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
  private readonly renderer: Renderer;
  private readonly now: () => Date;
  private readonly settleTimeoutMs: number;

  constructor(private readonly options: EngineOptions) {
    this.now = options.now ?? (() => new Date());
    this.settleTimeoutMs = (options.serviceTimeoutMs ?? 4000) + 1000;
    this.machine = buildMachine(options.content, { now: this.now, serviceTimeoutMs: options.serviceTimeoutMs }).provide({
      actors: accountActors(options.accountService),
    });
    this.understanding = new Understanding(options.i18n);
    this.renderer = new Renderer(options.i18n);
  }

  async turn(request: TurnRequest): Promise<TurnResult> {
    let language = request.preferredLanguage ?? languageOf(request.channelLocale) ?? DEFAULT_LANGUAGE;
    let chosenLanguage: Language | undefined;
    const restored = this.restore(request.stored);
    const actor = createActor(this.machine, restored ? { snapshot: restored } : {});
    const said: Say[] = [];
    actor.on('say', (event) => said.push(event));
    actor.start();

    const send = async (event: DialogEvent) => {
      actor.send(event);
      await waitFor(actor, (snapshot) => !snapshot.hasTag('busy'), { timeout: this.settleTimeoutMs });
    };
    const apply = async (understood: Understood) => {
      const meta = { locale: language, turnId: request.turnId, privateChat: request.privateChat !== false };
      if (understood.type === 'LANGUAGE') {
        language = understood.language;
        chosenLanguage = understood.language;
        await send({ type: 'LANGUAGE', ...meta, locale: language });
      } else {
        await send({ ...understood, ...meta });
      }
    };

    try {
      const { message } = request;
      if (!restored) {
        // A new conversation always opens with the welcome; a language named in the first message sets it first.
        const asked = this.understanding.languageRequest(message?.text) ?? languageInValue(message?.value);
        if (asked) language = chosenLanguage = asked;
        await send({ type: 'START', locale: language, turnId: request.turnId });
        if (message && !asked) {
          const understood = this.understanding.understand(message, this.current(actor.getSnapshot()), language);
          if (understood.type !== 'UNKNOWN') await apply(understood);
        }
      } else if (message) {
        await apply(this.understanding.understand(message, this.current(actor.getSnapshot()), language));
      } else {
        await send({ type: 'START', locale: language, turnId: request.turnId });
      }

      const snapshot = actor.getSnapshot();
      const { id, meta } = this.current(snapshot);
      const messages = this.renderer.render(said, {
        language,
        timeZone: request.timeZone,
        now: this.now(),
        links: this.options.content.dialog.links,
      });
      return {
        messages,
        said: said.map((say) => say.key),
        buttons: this.buttons(id, meta, language),
        stored: { v: 1, content: this.options.content.version, snapshot: actor.getPersistedSnapshot() },
        language,
        ...(chosenLanguage ? { chosenLanguage } : {}),
        trace: { topic: meta.topic, state: id, locale: language, expecting: meta.expecting },
      };
    } finally {
      actor.stop();
    }
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
    if (meta.offerLanguages) {
      for (const other of LANGUAGES.filter((candidate) => candidate !== language)) {
        buttons.push({
          id: `@language:${other}`,
          label: 'common:language.name',
          title: this.options.i18n.getFixedT(other, 'common')('language.name'),
          value: { language: other },
        });
      }
    }
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
