import { flatten } from '../content/localeFiles';
import type { Snapshot } from './snapshot';

/**
 * The draft's changes (draft against the version it started from) carried onto newly deployed files. Texts in
 * locale files are merged one by one; any other file is taken whole. Where the deploy changed what the draft
 * changed too, the deploy wins, and the text is named in `overwritten`.
 */
export function rebase(
  base: Snapshot,
  draft: Snapshot,
  deployed: Snapshot,
): { files: Snapshot; overwritten: string[] } {
  const files: Snapshot = { ...deployed };
  const overwritten: string[] = [];
  for (const file of new Set([...Object.keys(base), ...Object.keys(draft)])) {
    if (draft[file] === base[file]) continue;
    if (deployed[file] === base[file]) {
      if (draft[file] === undefined) delete files[file];
      else files[file] = draft[file]!;
      continue;
    }
    const merged = /^locales\/.+\.json$/.test(file) ? mergeTexts(base[file], draft[file], deployed[file]) : undefined;
    if (merged) {
      files[file] = merged.text;
      overwritten.push(...merged.overwritten.map((key) => `${file}: ${key}`));
    } else overwritten.push(file);
  }
  return { files, overwritten };
}

function parse(text: string | undefined): Record<string, unknown> | undefined {
  try {
    const value: unknown = text === undefined ? undefined : JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function mergeTexts(
  baseText: string | undefined,
  draftText: string | undefined,
  deployedText: string | undefined,
): { text: string; overwritten: string[] } | undefined {
  const [base, draft, deployed] = [parse(baseText), parse(draftText), parse(deployedText)];
  if (!base || !draft || !deployed) return undefined;
  const before = new Map(flatten(base));
  const after = new Map(flatten(deployed));
  const overwritten: string[] = [];
  for (const [key, value] of flatten(draft)) {
    if (typeof value !== 'string' || before.get(key) === value) continue;
    if (after.get(key) !== before.get(key)) {
      if (after.get(key) !== value) overwritten.push(key);
      continue;
    }
    const parts = key.split('.');
    let node = deployed;
    for (const part of parts.slice(0, -1)) {
      if (!node[part] || typeof node[part] !== 'object') node[part] = {};
      node = node[part] as Record<string, unknown>;
    }
    node[parts.at(-1)!] = value;
  }
  return { text: `${JSON.stringify(deployed, null, 2)}\n`, overwritten };
}
