import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { checkContent, type Content, type ContentProblem } from '../content/loadContent';

/** The content as files: path relative to the content folder ("locales/de/helpdesk.json") → the file's text. */
export type Snapshot = Record<string, string>;

/** The folders that hold the content; everything under them is part of a version. */
export const CONTENT_FOLDERS = ['dialogs', 'locales'] as const;

function filesUnder(root: string, folder: string): string[] {
  const absolute = path.join(root, folder);
  if (!existsSync(absolute)) return [];
  return readdirSync(absolute, { withFileTypes: true }).flatMap((entry) => {
    const relative = path.posix.join(folder, entry.name);
    if (entry.isDirectory()) return filesUnder(root, relative);
    return /\.(ya?ml|json)$/.test(entry.name) ? [relative] : [];
  });
}

/** Reads the content files under `root` exactly as they are written. */
export function readSnapshot(root: string): Snapshot {
  const files = CONTENT_FOLDERS.flatMap((folder) => filesUnder(root, folder)).sort();
  return Object.fromEntries(files.map((file) => [file, readFileSync(path.join(root, file), 'utf8')]));
}

/** Writes the files of a snapshot under `root` (other files there are left alone). */
export function writeSnapshot(snapshot: Snapshot, root: string): void {
  for (const [file, text] of Object.entries(snapshot)) {
    const target = path.join(root, file);
    if (path.relative(root, target).startsWith('..')) throw new Error(`file outside the content: ${file}`);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, text);
  }
}

/** A short fingerprint of a snapshot, to tell whether the files changed. */
export function hashOf(snapshot: Snapshot): string {
  const hash = createHash('sha256');
  for (const file of Object.keys(snapshot).sort()) hash.update(file).update('\0').update(snapshot[file]!).update('\0');
  return hash.digest('hex').slice(0, 16);
}

/** Runs every content check on a snapshot, the same checks `npm run content:check` runs on the folders. */
export function checkSnapshot(snapshot: Snapshot): { content?: Content; problems: ContentProblem[] } {
  const folder = mkdtempSync(path.join(tmpdir(), 'studio-content-'));
  try {
    writeSnapshot(snapshot, folder);
    return checkContent(folder);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
