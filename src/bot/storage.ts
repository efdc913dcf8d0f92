import { MemoryStorage, type Storage } from 'botbuilder';

/** The embedded default: conversation and user state in this process's memory. */
export function createMemoryStorage(): Storage {
  return new MemoryStorage();
}

export type { Storage };
