import type { Language } from '../src/dialog/languages';
import type { TurnResult } from '../src/conversation/engine';
import { Conversation } from '../src/conversation/conversation';
import { turnIdOf } from '../src/conversation/turnId';
import type { Runtime } from '../src/conversation/runtime';
import type { Expectation, Script, Step } from './conversationScript';

export interface PreviewStyle {
  bold(text: string): string;
  dim(text: string): string;
  warn(text: string): string;
}

export const PLAIN: PreviewStyle = { bold: (text) => text, dim: (text) => text, warn: (text) => text };
export const ANSI: PreviewStyle = {
  bold: (text) => `\u001b[1m${text}\u001b[22m`,
  dim: (text) => `\u001b[2m${text}\u001b[22m`,
  warn: (text) => `\u001b[33m${text}\u001b[39m`,
};

/**
 * The terminal preview behind `npm run chat`: the same engine and content as the bot, buttons as
 * numbers, the dialog state after every turn, missing texts flagged, and every turn recorded as a
 * conversation test.
 */
export class ChatPreview {
  private readonly conversation = new Conversation();
  private last: TurnResult | undefined;
  private turns = 0;
  private readonly steps: Step[] = [];

  constructor(
    private readonly runtime: () => Runtime,
    private readonly language: Language,
    private readonly style: PreviewStyle = PLAIN,
  ) {}

  async open(): Promise<string> {
    return this.turn({ open: true }, undefined);
  }

  /** One line typed by the person previewing: a button number, a button's text, or anything else. */
  async input(line: string): Promise<string> {
    const text = line.trim();
    const buttons = this.last?.buttons ?? [];
    const byNumber = /^\d+$/.test(text) ? buttons[Number(text) - 1] : undefined;
    const clicked = byNumber ?? buttons.find((button) => button.title === text);
    if (clicked)
      return this.turn({ click: clicked.label === 'common:language.name' ? clicked.id : clicked.label }, clicked.title);
    return this.turn(this.describeTyping(text), text);
  }

  /** The session so far as a conversation test (test/conversations/*.yaml). */
  script(description = 'Recorded with npm run chat'): Script {
    return { description, steps: [...this.steps] };
  }

  private describeTyping(text: string): Step {
    const { understanding } = this.runtime().engine;
    const command = understanding.commandIn(text);
    if (command) return { command };
    const named = understanding.languageRequest(text);
    if (named) return { language: named };
    const expecting = this.last?.trace.expecting;
    return expecting && expecting !== 'confirm' ? { answer: text } : { type: text };
  }

  private async turn(step: Step, text: string | undefined): Promise<string> {
    this.turns += 1;
    this.last = await this.conversation.turn(this.runtime().engine, {
      channelLocale: this.language,
      ...(text === undefined ? {} : { message: { text } }),
      turnId: turnIdOf('preview', String(this.turns)),
    });
    const expectation: Expectation = {
      topic: this.last.trace.topic,
      state: this.last.trace.state,
      expecting: this.last.trace.expecting,
      says: this.last.said,
    };
    this.steps.push({ ...step, expect: expectation } as Step);
    return this.show(this.last);
  }

  private show(result: TurnResult): string {
    const { style } = this;
    const lines: string[] = [];
    result.messages.forEach((message, index) => {
      const key = result.said[index]!;
      if (message === key || message === key.replace(/^common:/, '') || /\{\{|\}\}/.test(message)) {
        lines.push(style.warn(`⚠ missing text for "${key}" in ${result.language}: ${message}`));
      }
      lines.push(`${message.replace(/\*\*(.+?)\*\*/g, (_match, inner: string) => style.bold(inner))}\n`);
    });
    result.buttons.forEach((button, index) => lines.push(`  [${index + 1}] ${button.title}`));
    const { topic, state, expecting, locale } = result.trace;
    lines.push(style.dim(`── state ${state} · topic ${topic} · expecting ${expecting ?? '—'} · language ${locale}`));
    // What the bot made of a typed message, when it had to read it, and how sure it was.
    const { understood } = result.trace;
    if (understood)
      lines.push(style.dim(`── understood ${understood.intent} (${Math.round(understood.p * 100)} % sure)`));
    return lines.join('\n');
  }
}
