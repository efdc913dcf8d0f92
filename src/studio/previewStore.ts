import { createHash } from 'node:crypto';
import type { StoredDialog } from '../conversation/engine';
import type { Language } from '../dialog/languages';
import { LocalLocks, type StudioStore } from './store';

/** One preview conversation between its turns, as whichever instance serves the next turn takes it up. */
export interface KeptPreview {
  /** The studio session that opened it, as a hash: only that session drives it. */
  owner: string;
  /** The language it was opened in. */
  language: Language;
  /** The lead's page language, for what is said when the draft cannot answer. */
  pageLanguage: Language;
  /** The dialog with the draft after the last turn, as the bot keeps a conversation's. */
  dialog?: StoredDialog;
  /** The language chosen in the conversation, if one was. */
  chosenLanguage?: Language;
}

/** Where preview conversations wait between turns: this process, or Redis shared by every instance. */
export interface PreviewStore {
  get(id: string): Promise<KeptPreview | undefined>;
  /** Keeps the preview; with Redis for PREVIEW_SECONDS from now, so every turn keeps it longer. */
  set(id: string, preview: KeptPreview): Promise<void>;
  /** Runs `work` while no other turn of the same preview runs (in this process or, with Redis, on any instance). */
  locked<T>(id: string, work: () => Promise<T>): Promise<T>;
}

/** How long a preview conversation is kept after its last turn: a working day, as a studio session. */
export const PREVIEW_SECONDS = 8 * 3600;
/** Preview conversations one process keeps at once; the one used longest ago is let go first. */
const OPEN_PREVIEWS = 100;

/** A session's or conversation's id as it may be kept or named in a key: never the id itself. */
export const digestOf = (id: string): string => createHash('sha256').update(id).digest('hex');

/** In this process: one instance. Kept as JSON, so a preview is never changed but by its turn's `set`. */
export class MemoryPreviewStore implements PreviewStore {
  private readonly previews = new Map<string, string>();
  private readonly locks = new LocalLocks();

  async get(id: string): Promise<KeptPreview | undefined> {
    const text = this.previews.get(id);
    return text === undefined ? undefined : (JSON.parse(text) as KeptPreview);
  }

  async set(id: string, preview: KeptPreview): Promise<void> {
    this.previews.delete(id);
    this.previews.set(id, JSON.stringify(preview));
    if (this.previews.size > OPEN_PREVIEWS) this.previews.delete(this.previews.keys().next().value!);
  }

  locked<T>(id: string, work: () => Promise<T>): Promise<T> {
    return this.locks.run(id, work);
  }
}

/** In the studio's Redis store (`{studio}:preview:<hash>`), with its lock: any instance serves any turn. */
export class SharedPreviewStore implements PreviewStore {
  constructor(private readonly store: StudioStore) {}

  async get(id: string): Promise<KeptPreview | undefined> {
    const text = await this.store.get(`preview:${digestOf(id)}`);
    return text === undefined ? undefined : (JSON.parse(text) as KeptPreview);
  }

  async set(id: string, preview: KeptPreview): Promise<void> {
    await this.store.set(`preview:${digestOf(id)}`, JSON.stringify(preview), PREVIEW_SECONDS);
  }

  locked<T>(id: string, work: () => Promise<T>): Promise<T> {
    return this.store.locked(`preview:${digestOf(id)}`, work);
  }
}
