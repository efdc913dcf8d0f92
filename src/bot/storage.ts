import { MemoryStorage, type Storage, type StoreItems } from 'botbuilder';
import type { StateStore } from '../state/stateStore';

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
    const items = Object.entries(changes).map(([key, change]) => {
      const { eTag, ...value } = (change ?? {}) as Record<string, unknown> & { eTag?: string };
      return { key, value, ...(eTag ? { expected: eTag } : {}) };
    });
    const eTags = await this.store.write(items);
    for (const [key, eTag] of Object.entries(eTags)) if (changes[key]) changes[key].eTag = eTag;
  }

  async delete(keys: string[]): Promise<void> {
    await this.store.delete(keys);
  }
}

export type { Storage };
