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
  /** The hash holding the queue's "now serving" field; the key whose presence says the ticket's holder is alive. */
  serving: string;
  lease: string;
  ticket: number;
}

/** What the write that ends a turn does besides saving: remember the activity as handled, let the next turn in. */
export interface TurnEnd {
  /** The activity's digest (activityDigest of its id), remembered so that a redelivery is skipped. */
  digest?: string;
  /** Hands the conversation to the next turn in the same call. */
  release: boolean;
}

/** An item to write: `expected` '*' or undefined overwrites, anything else must match the stored eTag. */
export interface StateItem {
  key: string;
  value: Record<string, unknown>;
  expected?: string;
}

/** Conversation and user state with compare-and-set on an eTag. */
export interface StateStore {
  read(keys: string[]): Promise<Record<string, Versioned>>;
  /**
   * Writes the items together, all or none; `expected` '*' or undefined overwrites, anything else must match
   * the stored eTag. With a fence, nothing is written unless the turn still holds its conversation.
   */
  write(items: StateItem[], fence?: TurnFence, end?: TurnEnd): Promise<Record<string, string>>;
  delete(keys: string[]): Promise<void>;
}
