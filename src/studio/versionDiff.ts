import { isDeepStrictEqual } from 'node:util';
import { parse } from 'yaml';
import { LANGUAGES, NAMESPACES, type Language } from '../dialog/languages';
import type { Snapshot } from './snapshot';
import type { Studio, VersionInfo } from './studio';
import { textsOf } from './texts';
import { said, type Said } from '../dialog/studioWords';

/** Puts what is said into the lead's words (the studio's texts in the page's language). */
export type Say = (words: Said) => string;

/** One text in one language: what it was and what it became (null where it did not exist). */
export interface TextChange {
  language: Language;
  before: string | null;
  after: string | null;
}

/** A change of the structure (steps, choices, validators, links, glossary, examples), in the lead's words. */
export interface StructureChange {
  /** The file it is in, as in the content folders ("dialogs/helpdesk.yaml"). */
  file: string;
  /** Where in the file: "nodes.lockout", "topics.lockout", or "" for the whole file. */
  where: string;
  summary: string;
  /** Examples (or other list entries) that came in and went out, for the example files. */
  added?: string[];
  removed?: string[];
}

export interface SnapshotDiff {
  /** Every text that changed, by key, with the languages it changed in. */
  texts: Array<{ key: string; changes: TextChange[] }>;
  structure: StructureChange[];
}

const LOCALE_FILE = new RegExp(`^locales/(${LANGUAGES.join('|')})/(${NAMESPACES.join('|')})\\.json$`);
const EXAMPLE_FILE = /^dialogs\/understanding\/[^/]+\.ya?ml$/;

function textDiff(before: Snapshot, after: Snapshot): SnapshotDiff['texts'] {
  const byKey = new Map<string, TextChange[]>();
  for (const language of LANGUAGES) {
    const old = textsOf(before, language);
    const now = textsOf(after, language);
    for (const key of new Set([...old.keys(), ...now.keys()])) {
      const [was, is] = [old.get(key) ?? null, now.get(key) ?? null];
      if (was === is) continue;
      byKey.set(key, [...(byKey.get(key) ?? []), { language, before: was, after: is }]);
    }
  }
  return [...byKey.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([key, changes]) => ({ key, changes }));
}

function parsed(file: string, text: string): unknown {
  try {
    return file.endsWith('.json') ? JSON.parse(text) : parse(text);
  } catch {
    return undefined;
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  !!value && typeof value === 'object' && !Array.isArray(value);

const shown = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));

const quoted = (items: string[]): string => items.map((item) => `"${item}"`).join(', ');

/** The examples of each topic, move and `none` in an understanding file: what came in and what went out. */
function exampleChanges(file: string, before: unknown, after: unknown, say: Say): StructureChange[] {
  const lists = (data: unknown): Map<string, string[]> => {
    const found = new Map<string, string[]>();
    if (!isRecord(data)) return found;
    for (const [section, value] of Object.entries(data)) {
      if (Array.isArray(value)) found.set(section, value.map(shown));
      else if (isRecord(value))
        for (const [name, examples] of Object.entries(value))
          found.set(`${section}.${name}`, Array.isArray(examples) ? examples.map(shown) : [shown(examples)]);
    }
    return found;
  };
  const [old, now] = [lists(before), lists(after)];
  const changes: StructureChange[] = [];
  for (const where of new Set([...old.keys(), ...now.keys()])) {
    const [was, is] = [old.get(where), now.get(where)];
    const added = (is ?? []).filter((example) => !(was ?? []).includes(example));
    const removed = (was ?? []).filter((example) => !(is ?? []).includes(example));
    if (!was)
      changes.push({ file, where, summary: say(said('diff.topicAdded', { count: added.length })), added, removed: [] });
    else if (!is)
      changes.push({
        file,
        where,
        summary: say(said('diff.topicRemoved', { count: removed.length })),
        added: [],
        removed,
      });
    else if (added.length || removed.length) {
      const summary =
        added.length && removed.length
          ? said('diff.examplesChanged', {
              added: added.length,
              addedExamples: quoted(added),
              removed: removed.length,
              removedExamples: quoted(removed),
            })
          : added.length
            ? said('diff.examplesAdded', { count: added.length, examples: quoted(added) })
            : said('diff.examplesRemoved', { count: removed.length, examples: quoted(removed) });
      changes.push({ file, where, summary: say(summary), added, removed });
    }
  }
  return changes;
}

/** The names of the fields that differ between two entries, for "nodes.lockout: choices, prompt changed". */
function changedFields(before: unknown, after: unknown): string[] {
  if (!isRecord(before) || !isRecord(after)) return [];
  return [...new Set([...Object.keys(before), ...Object.keys(after)])].filter(
    (field) => !isDeepStrictEqual(before[field], after[field]),
  );
}

/** What a step now says and asks (`say`, `prompt`) in plain words: texts added, gone or reordered, its question. */
function saidChanges(before: Record<string, unknown>, after: Record<string, unknown>): Said[] {
  const list = (value: unknown) => (Array.isArray(value) ? value.map(shown) : []);
  const [was, is] = [list(before.say), list(after.say)];
  const added = is.filter((key) => !was.includes(key));
  const removed = was.filter((key) => !is.includes(key));
  const words: Said[] = [];
  if (added.length) words.push(said('diff.saysAdded', { keys: added.join(', ') }));
  if (removed.length) words.push(said('diff.saysRemoved', { keys: removed.join(', ') }));
  if (!added.length && !removed.length && !isDeepStrictEqual(was, is))
    words.push(said('diff.saysReordered', { keys: is.join(', ') }));
  const [asked, asks] = [before.prompt, after.prompt];
  if (asked === undefined && asks !== undefined) words.push(said('diff.promptAdded', { key: shown(asks) }));
  else if (asked !== undefined && asks === undefined) words.push(said('diff.promptRemoved', { key: shown(asked) }));
  else if (!isDeepStrictEqual(asked, asks))
    words.push(said('diff.promptChanged', { before: shown(asked), after: shown(asks) }));
  return words;
}

/** A changed entry in plain words: a step's texts and question said as such, its other fields named. */
function entryChange(before: unknown, after: unknown, say: Say): string {
  const fields = changedFields(before, after);
  const texts = isRecord(before) && isRecord(after) ? saidChanges(before, after) : [];
  const others = texts.length ? fields.filter((field) => field !== 'say' && field !== 'prompt') : fields;
  if (!texts.length && !fields.length)
    return say(said('diff.valueChanged', { before: shown(before), after: shown(after) }));
  return [...texts, ...(others.length ? [said('diff.fieldsChanged', { fields: others.join(', ') })] : [])]
    .map(say)
    .join('; ');
}

/** A dialog, glossary or other file: each top-level field, and each entry of a top-level map (steps, validators…). */
function fieldChanges(file: string, before: unknown, after: unknown, say: Say): StructureChange[] {
  if (!isRecord(before) || !isRecord(after)) return [{ file, where: '', summary: say(said('diff.notLoading')) }];
  const changes: StructureChange[] = [];
  for (const field of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const [was, is] = [before[field], after[field]];
    if (isDeepStrictEqual(was, is)) continue;
    if (was === undefined) changes.push({ file, where: field, summary: say(said('diff.added')) });
    else if (is === undefined) changes.push({ file, where: field, summary: say(said('diff.removed')) });
    else if (isRecord(was) && isRecord(is))
      for (const name of new Set([...Object.keys(was), ...Object.keys(is)])) {
        const [old, now] = [was[name], is[name]];
        const where = `${field}.${name}`;
        if (isDeepStrictEqual(old, now)) continue;
        if (old === undefined) changes.push({ file, where, summary: say(said('diff.added')) });
        else if (now === undefined) changes.push({ file, where, summary: say(said('diff.removed')) });
        else changes.push({ file, where, summary: entryChange(old, now, say) });
      }
    else
      changes.push({
        file,
        where: field,
        summary: say(said('diff.valueChanged', { before: shown(was), after: shown(is) })),
      });
  }
  return changes;
}

/** What changed from one snapshot to the next: texts by key and language, and the structure in plain words. */
export function diffSnapshots(before: Snapshot, after: Snapshot, say: Say): SnapshotDiff {
  const structure: StructureChange[] = [];
  for (const file of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
    const [was, is] = [before[file], after[file]];
    if (was === is || LOCALE_FILE.test(file)) continue;
    if (was === undefined) structure.push({ file, where: '', summary: say(said('diff.fileAdded')) });
    else if (is === undefined) structure.push({ file, where: '', summary: say(said('diff.fileRemoved')) });
    else {
      const [old, now] = [parsed(file, was), parsed(file, is)];
      const changes = EXAMPLE_FILE.test(file) ? exampleChanges(file, old, now, say) : fieldChanges(file, old, now, say);
      // Only comments or layout changed: say so, so no change goes unlisted.
      structure.push(...(changes.length ? changes : [{ file, where: '', summary: say(said('diff.layoutChanged')) }]));
    }
  }
  return { texts: textDiff(before, after), structure };
}

/** A version with what it changed, for the history. */
export interface VersionDiff extends SnapshotDiff {
  version: VersionInfo;
  /** The version it is compared with: the one before it unless another was asked for; null for the first. */
  against: number | null;
}

/** What a version changed against the one before it (or `against`); undefined when either does not exist. */
export async function versionDiff(
  studio: Pick<Studio, 'versions' | 'versionFiles'>,
  version: number,
  against: number | undefined,
  say: Say,
): Promise<VersionDiff | undefined> {
  const versions = await studio.versions();
  const info = versions.find((each) => each.version === version);
  const base = against ?? versions.find((each) => each.version < version)?.version;
  if (!info || (against !== undefined && !versions.some((each) => each.version === against))) return undefined;
  const files = await studio.versionFiles(version);
  const previous = base === undefined ? files : await studio.versionFiles(base);
  if (!files || !previous) return undefined;
  return { version: info, against: base ?? null, ...diffSnapshots(previous, files, say) };
}
