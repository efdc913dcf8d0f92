import type { Language } from '../dialog/languages';
import type { ConversationEngine, StoredDialog, TurnRequest, TurnResult } from './engine';

/** A turn's request without what the conversation carries itself. */
export type ConversationTurn = Omit<TurnRequest, 'stored' | 'preferredLanguage'>;

/**
 * One conversation between turns: its stored dialog and the language its user chose, handed to each turn
 * and taken back from its result. The engine is passed per turn, as it changes when the content is reloaded.
 */
export class Conversation {
  constructor(
    public stored?: StoredDialog,
    public preferredLanguage?: Language,
  ) {}

  async turn(engine: ConversationEngine, request: ConversationTurn): Promise<TurnResult> {
    const result = await engine.turn({
      ...request,
      ...(this.stored ? { stored: this.stored } : {}),
      ...(this.preferredLanguage ? { preferredLanguage: this.preferredLanguage } : {}),
    });
    this.stored = result.stored;
    this.preferredLanguage = result.chosenLanguage ?? this.preferredLanguage;
    return result;
  }
}
