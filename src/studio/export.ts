import { rmSync } from 'node:fs';
import path from 'node:path';
import { readSnapshot, writeSnapshot } from './snapshot';
import type { StudioStore } from './store';
import { liveVersionOf, versionFilesOf, versionInfoOf, type VersionInfo } from './studio';

export interface ExportResult {
  version: VersionInfo;
  /** Files written because their bytes differ from what was there (or it was not there). */
  written: string[];
  /** Content files the version does not have, removed. */
  removed: string[];
  unchanged: number;
}

/**
 * Writes a version (the published one unless another is named) as the dialogs/ and locales/ files under
 * `root`, byte for byte as the version holds them: the files a lead edited, with their comments and layout.
 * Files whose bytes are the same are not touched; content files the version does not have are removed.
 * Undefined when there is no such version (or none yet).
 */
export async function exportVersion(
  store: StudioStore,
  root: string,
  version?: number,
): Promise<ExportResult | undefined> {
  const chosen = version ?? (await liveVersionOf(store));
  const info = chosen ? await versionInfoOf(store, chosen) : undefined;
  const files = chosen ? await versionFilesOf(store, chosen) : undefined;
  if (!info || !files) return undefined;
  const before = readSnapshot(root);
  const written = Object.keys(files).filter((file) => before[file] !== files[file]);
  writeSnapshot(Object.fromEntries(written.map((file) => [file, files[file]!])), root);
  const removed = Object.keys(before).filter((file) => files[file] === undefined);
  for (const file of removed) rmSync(path.join(root, file));
  return { version: info, written, removed, unchanged: Object.keys(files).length - written.length };
}
