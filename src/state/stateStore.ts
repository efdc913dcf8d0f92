/** A stored item with the version it was read at. */
export interface Versioned {
  value: Record<string, unknown>;
  eTag: string;
}

/** Raised when a write carries an eTag that is no longer current: someone else wrote in between. */
export class ETagConflictError extends Error {
  override name = 'ETagConflictError';
  constructor(key: string) {
    super(`Storage: error writing "${key}" due to eTag conflict.`);
  }
}

/** Raised when the state cannot be reached (Redis down, timed out); the turn is answered "try again in a moment". */
export class StateUnavailableError extends Error {
  override name = 'StateUnavailableError';
}

/**
 * Proof that a turn still holds its conversation: its ticket in the conversation's queue, which is being
 * served while the ticket's lease lives. A write fenced with it is refused once another turn was let in.
 */
export interface TurnFence {
  /** The queue's "now serving" key, and the key whose presence says the ticket's holder is alive. */
  serving: string;
  lease: string;
  ticket: number;
}

/** Conversation and user state with compare-and-set on an eTag. */
export interface StateStore {
  read(keys: string[]): Promise<Record<string, Versioned>>;
  /**
   * Writes the items together, all or none; `expected` '*' or undefined overwrites, anything else must match
   * the stored eTag. With a fence, nothing is written unless the turn still holds its conversation.
   */
  write(
    items: Array<{ key: string; value: Record<string, unknown>; expected?: string }>,
    fence?: TurnFence,
  ): Promise<Record<string, string>>;
  delete(keys: string[]): Promise<void>;
}
