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

/** Conversation and user state with compare-and-set on an eTag. */
export interface StateStore {
  read(keys: string[]): Promise<Record<string, Versioned>>;
  /** Writes each item; `expected` '*' or undefined overwrites, anything else must match the stored eTag. */
  write(
    items: Array<{ key: string; value: Record<string, unknown>; expected?: string }>,
  ): Promise<Record<string, string>>;
  delete(keys: string[]): Promise<void>;
}
