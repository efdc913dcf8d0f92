import { MemoryStorage, type Storage, type StoreItems } from 'botbuilder';
import type { StateStore, TurnFence } from '../state/stateStore';

/** The embedded default: conversation and user state in this process's memory. */
export function createMemoryStorage(): Storage {
  return new MemoryStorage();
}

/** botbuilder's Storage over a StateStore (Redis): real eTag compare-and-set, so a stale write is refused. */
export class StateStoreStorage implements Storage {
  constructor(private readonly store: StateStore) {}

  async read(keys: string[]): Promise<StoreItems> {
    const found = await this.store.read(keys);
    const items: StoreItems = {};
    for (const [key, { value, eTag }] of Object.entries(found)) items[key] = { ...value, eTag };
    return items;
  }

  async write(changes: StoreItems): Promise<void> {
    await this.writeTurn(changes);
  }

  /** Writes a turn's changes together, all or none, and only while the turn holds its conversation. */
  async writeTurn(changes: StoreItems, fence?: TurnFence): Promise<void> {
    const items = Object.entries(changes).map(([key, change]) => {
      const { eTag, ...value } = (change ?? {}) as Record<string, unknown> & { eTag?: string };
      return { key, value, ...(eTag ? { expected: eTag } : {}) };
    });
    const eTags = await this.store.write(items, fence);
    for (const [key, eTag] of Object.entries(eTags)) if (changes[key]) changes[key].eTag = eTag;
  }

  async delete(keys: string[]): Promise<void> {
    await this.store.delete(keys);
  }
}

/**
 * Saves a turn's changed states (storage key -> state): in one fenced write where the storage can, else
 * (memory, one process, where the turn gate alone keeps turns apart) with a plain write.
 */
export async function saveTurn(storage: Storage, changes: StoreItems, fence?: TurnFence): Promise<void> {
  if (Object.keys(changes).length === 0) return;
  if (storage instanceof StateStoreStorage) await storage.writeTurn(changes, fence);
  else await storage.write(changes);
}

export type { Storage };
