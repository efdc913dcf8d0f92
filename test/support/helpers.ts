import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createTranslator } from '../../src/content/i18n';
import { loadContent, type Content } from '../../src/content/loadContent';
import { ConversationEngine, type StoredDialog, type TurnResult } from '../../src/conversation/engine';
import { Conversation } from '../../src/conversation/conversation';
import type { SlotSeal } from '../../src/conversation/sealedSlots';
import { turnIdOf } from '../../src/conversation/turnId';
import type { UserMessage } from '../../src/conversation/understand';
import type { AccountService } from '../../src/accountService/accountService';
import {
  inMemoryAccounts,
  type DemoAccount,
  type ReferenceAccounts,
} from '../../src/referenceService/referenceAccounts';
import { tempFolder } from './tempFolders';

export const ROOT = path.resolve(__dirname, '..', '..');

let cached: Content | undefined;
export function content(): Content {
  cached ??= loadContent(ROOT);
  return cached;
}

/** A fixed moment, so dates and lock times in replies are predictable. */
export const NOW = new Date('2026-03-10T09:00:00Z');

export const ACCOUNTS: DemoAccount[] = [
  {
    idNumber: 'SIR094701',
    secretNumber: '8482',
    email: 'locked@example.org',
    password: 'pw-locked',
    lockedUntil: '2026-03-10T09:20:00Z',
  },
  { idNumber: 'ABC123456', secretNumber: '1234', email: 'open@example.org', password: 'pw-open' },
];

export function accountService(now: () => Date = () => NOW): ReferenceAccounts {
  return inMemoryAccounts(ACCOUNTS, now);
}

export function engine(
  options: { service?: AccountService; serviceTimeoutMs?: number; now?: () => Date; seal?: SlotSeal } = {},
): ConversationEngine {
  const loaded = content();
  return new ConversationEngine({
    content: loaded,
    i18n: createTranslator(loaded),
    accountService: options.service ?? accountService(),
    now: options.now ?? (() => NOW),
    ...(options.seal ? { seal: options.seal } : {}),
    ...(options.serviceTimeoutMs ? { serviceTimeoutMs: options.serviceTimeoutMs } : {}),
  });
}

/** A conversation with the engine, as a channel would hold it: state and chosen language carried between turns. */
export class Chat {
  readonly conversation = new Conversation();
  /** The channel's id of the conversation (two chats with one id are one conversation, as after a restart). */
  conversationId = 'test';
  last!: TurnResult;
  private turns = 0;

  constructor(
    readonly bot: ConversationEngine,
    readonly channelLocale = 'en-GB',
    readonly timeZone?: string,
  ) {}

  async open(): Promise<TurnResult> {
    return this.turn(undefined);
  }

  async say(text: string): Promise<TurnResult> {
    return this.turn({ text });
  }

  async send(message: UserMessage): Promise<TurnResult> {
    return this.turn(message);
  }

  /** Clicks the button with this title (as a channel's imBack does: the title comes back as text). */
  async click(title: string): Promise<TurnResult> {
    const button = this.last.buttons.find((candidate) => candidate.title === title);
    if (!button) throw new Error(`No button "${title}" in [${this.last.buttons.map((b) => b.title).join(' | ')}]`);
    return this.turn({ text: button.title });
  }

  /** Clicks the button that leads to this choice id. */
  async choose(id: string): Promise<TurnResult> {
    const button = this.last.buttons.find((candidate) => candidate.id === id);
    if (!button) throw new Error(`No choice "${id}" in [${this.last.buttons.map((b) => b.id).join(' | ')}]`);
    return this.turn({ text: button.title });
  }

  /** The dialog as stored after the last turn; set it to continue a conversation stored earlier. */
  get stored(): StoredDialog | undefined {
    return this.conversation.stored;
  }

  set stored(stored: StoredDialog | undefined) {
    this.conversation.stored = stored;
  }

  get text(): string {
    return this.last.messages.join('\n\n');
  }

  private async turn(message: UserMessage | undefined): Promise<TurnResult> {
    this.turns += 1;
    this.last = await this.conversation.turn(this.bot, {
      channelLocale: this.channelLocale,
      ...(this.timeZone ? { timeZone: this.timeZone } : {}),
      ...(message ? { message } : {}),
      turnId: turnIdOf(this.conversationId, String(this.turns)),
    });
    return this.last;
  }
}

/** A copy of the real content in a temporary folder, for tests that break it on purpose. */
export function contentCopy(): { root: string; edit(file: string, change: (text: string) => string): void } {
  const root = tempFolder('helpdesk-content-');
  cpSync(path.join(ROOT, 'dialogs'), path.join(root, 'dialogs'), { recursive: true });
  cpSync(path.join(ROOT, 'locales'), path.join(root, 'locales'), { recursive: true });
  return {
    root,
    edit(file, change) {
      const target = path.join(root, file);
      const before = readFileSync(target, 'utf8');
      const after = change(before);
      if (after === before) throw new Error(`The edit of ${file} changed nothing`);
      writeFileSync(target, after);
    },
  };
}

/** English text of a key, for assertions that read like the conversation. */
export function english(key: string, params: Record<string, unknown> = {}): string {
  return createTranslator(content()).getFixedT('en')(key, { links: content().dialog.links, ...params });
}

/** The closed-centre request's answers before the ID and secret numbers, valid for every question. */
export const REQUEST_ANSWERS = ['Ana García', 'B2 First', '14/06/2025', 'Centro Madrid', 'ana@example.org'] as const;

/** The number a channel shows for the main menu's button that leads to a step, as the content orders them. */
export function menuNumber(goto: string): string {
  const { dialog } = content();
  const menu = dialog.nodes[dialog.start] as { choices?: Array<{ goto: string }> };
  const index = (menu.choices ?? []).findIndex((choice) => choice.goto === goto);
  if (index < 0) throw new Error(`the main menu has no button leading to "${goto}"`);
  return String(index + 1);
}
