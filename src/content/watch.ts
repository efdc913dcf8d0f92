import { existsSync, readdirSync, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { checkContent, type Content, type ContentProblem } from './loadContent';

export interface ContentWatcher {
  close(): void;
}

/**
 * Watches dialogs/ and locales/ under `root`; after each burst of saves, checks the content again and
 * hands over the new content, or the problems when the edit is not valid (the caller keeps the old).
 *
 * Each folder is watched on its own, not recursively: a recursive watch follows files, and loses a file that an
 * editor replaces by renaming a new one over it (temp-file editors, `sed -i`, `git checkout`). A folder's watch
 * sees every file renamed into it, and folders added later are picked up on the next change.
 */
export function watchContent(
  root: string,
  onValid: (content: Content) => void,
  onInvalid: (problems: ContentProblem[]) => void,
  settleMs = 150,
): ContentWatcher {
  let timer: NodeJS.Timeout | undefined;
  const watchers = new Map<string, FSWatcher>();
  const reload = () => {
    timer = undefined;
    watchFolders();
    const { content, problems } = checkContent(root);
    if (content) onValid(content);
    else onInvalid(problems);
  };
  const changed = () => {
    // Editors save in several steps (temp file, rename): wait for the burst to end.
    if (timer) clearTimeout(timer);
    timer = setTimeout(reload, settleMs);
  };
  const watchTree = (folder: string) => {
    if (!existsSync(folder)) return;
    if (!watchers.has(folder)) {
      const watcher = watch(folder, changed);
      watcher.on('error', () => {
        // The folder was removed; a later change to its parent watches it again if it comes back.
        watcher.close();
        watchers.delete(folder);
      });
      watchers.set(folder, watcher);
    }
    for (const entry of readdirSync(folder, { withFileTypes: true }))
      if (entry.isDirectory()) watchTree(path.join(folder, entry.name));
  };
  const watchFolders = () => {
    for (const folder of ['dialogs', 'locales']) watchTree(path.join(root, folder));
  };
  watchFolders();
  return {
    close() {
      if (timer) clearTimeout(timer);
      for (const watcher of watchers.values()) watcher.close();
      watchers.clear();
    },
  };
}
