import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ValidatorSpec } from './dialogSchema';
import { compileValidator, type SlotValidator } from './validators';

/** Checked content as far as the cache needs to know it: its validators are compiled again when read back. */
interface Checked {
  dialog: { validators: Record<string, ValidatorSpec> };
  validators: Record<string, SlotValidator>;
}

/** Where checked content is kept: .cache/content in the project (`npm run build` writes the current one). */
export const CHECKED_CONTENT_DIR = path.resolve(__dirname, '..', '..', '.cache', 'content');

/** The content folders: everything the checks read is in them (the live reload watches the same two). */
const CONTENT_FOLDERS = ['dialogs', 'locales'];

/**
 * The name of this version of the content as the checks see it: every file of the content folders, and the
 * code that reads and checks them (this folder, and the dialog's keys and rules they use).
 */
export function checkedName(root: string): string {
  const hash = createHash('sha256');
  for (const folder of CONTENT_FOLDERS) hashTree(hash, root, folder);
  for (const folder of [__dirname, path.join(__dirname, '..', 'dialog')])
    for (const name of readdirSync(folder).sort())
      if (/\.(ts|js)$/.test(name)) hash.update(name).update(readFileSync(path.join(folder, name)));
  return hash.digest('base64url').slice(0, 32);
}

function hashTree(hash: ReturnType<typeof createHash>, root: string, relative: string): void {
  let entries;
  try {
    entries = readdirSync(path.join(root, relative), { withFileTypes: true });
  } catch {
    hash.update(`\0missing ${relative}`);
    return;
  }
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const file = path.join(relative, entry.name);
    if (entry.isDirectory()) hashTree(hash, root, file);
    else if (entry.isFile()) hash.update(`\0${file}\0`).update(readFileSync(path.join(root, file)));
  }
}

/** The content as checked before under this name, or undefined (never checked, or the file is unreadable). */
export function readChecked<T extends Checked>(dir: string, name: string): T | undefined {
  try {
    const kept = JSON.parse(readFileSync(path.join(dir, `${name}.json`), 'utf8')) as Omit<T, 'validators'>;
    const validators: Record<string, SlotValidator> = {};
    for (const [validator, spec] of Object.entries(kept.dialog.validators))
      validators[validator] = compileValidator(spec);
    return { ...kept, validators } as T;
  } catch {
    return undefined;
  }
}

/**
 * Keeps content that passed every check (whole file or none). A folder that cannot be written only means
 * checking again at the next start.
 */
export function keepChecked<T extends Checked>(dir: string, name: string, content: T): void {
  try {
    mkdirSync(dir, { recursive: true });
    const { validators: _compiled, ...kept } = content;
    const file = path.join(dir, `${name}.json`);
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, JSON.stringify(kept));
    renameSync(partial, file);
  } catch {
    // Read-only or missing folder: the content is checked again next time.
  }
}
