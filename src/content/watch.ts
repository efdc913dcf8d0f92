import { watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { checkContent, type Content, type ContentProblem } from './loadContent';

export interface ContentWatcher {
  close(): void;
}

/**
 * Watches dialogs/ and locales/ under `root`; after each burst of saves, checks the content again and
 * hands over the new content, or the problems when the edit is not valid (the caller keeps the old).
 */
export function watchContent(
  root: string,
  onValid: (content: Content) => void,
  onInvalid: (problems: ContentProblem[]) => void,
  settleMs = 150,
): ContentWatcher {
  let timer: NodeJS.Timeout | undefined;
  const reload = () => {
    timer = undefined;
    const { content, problems } = checkContent(root);
    if (content) onValid(content);
    else onInvalid(problems);
  };
  const watchers: FSWatcher[] = ['dialogs', 'locales'].map((folder) =>
    watch(path.join(root, folder), { recursive: true }, () => {
      // Editors save in several steps (temp file, rename): wait for the burst to end.
      if (timer) clearTimeout(timer);
      timer = setTimeout(reload, settleMs);
    }),
  );
  return {
    close() {
      if (timer) clearTimeout(timer);
      for (const watcher of watchers) watcher.close();
    },
  };
}
