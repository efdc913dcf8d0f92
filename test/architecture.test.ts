import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './support/helpers';

/**
 * The layers of src/, lowest first. A module may import its own folder and any lower layer, never a higher
 * one; modules in the same layer (other folders) may not import each other either, so no layer can grow a
 * hidden dependency. A new folder must be given a layer here.
 */
const LAYERS: readonly (readonly string[])[] = [
  ['dialog', 'logger.ts'],
  ['content', 'metrics.ts', 'http', 'state', 'accountService'],
  ['machine', 'nlu', 'config.ts', 'reminders'],
  ['conversation', 'directLine', 'referenceService'],
  ['bot'],
  ['server'],
  ['index.ts'],
];

const SRC = path.join(ROOT, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** The project's own imports of a file, as files under src/ ("dialog/languages.ts"). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((match) => match[1]!);
  return specifiers.map((specifier) => {
    const target = path.resolve(path.dirname(file), specifier);
    return path.relative(SRC, target.endsWith('.json') ? target : `${target}.ts`);
  });
}

/** "state/turnGate.ts" → "state"; "index.ts" → "index.ts". */
function unitOf(file: string): string {
  return file.split(path.sep)[0]!;
}

function layerOf(unit: string): number {
  const layer = LAYERS.findIndex((units) => units.includes(unit));
  if (layer < 0) throw new Error(`src/${unit} has no layer; add it to LAYERS in test/architecture.test.ts`);
  return layer;
}

const graph = new Map(sourceFiles(SRC).map((file) => [path.relative(SRC, file), importsOf(file)]));

describe('the house: imports between the files of src/', () => {
  it('every folder has a layer and every import names a file that exists', () => {
    for (const [file, imports] of graph) {
      layerOf(unitOf(file));
      for (const target of imports) {
        if (target.startsWith('..')) continue; // package.json and the like, outside src/
        expect({ file, target, exists: graph.has(target) || target.endsWith('.json') }).toEqual({ file, target, exists: true });
      }
    }
  });

  it('no import runs uphill or sideways between folders of one layer', () => {
    const offending: string[] = [];
    for (const [file, imports] of graph) {
      const from = unitOf(file);
      for (const target of imports.filter((each) => !each.startsWith('..'))) {
        const to = unitOf(target);
        if (to !== from && layerOf(to) >= layerOf(from)) offending.push(`${file} -> ${target}`);
      }
    }
    expect(offending).toEqual([]);
  });

  it('has no import cycle between files', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (file: string, trail: string[]) => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        cycles.push([...trail.slice(trail.indexOf(file)), file].join(' -> '));
        return;
      }
      state.set(file, 'open');
      for (const target of graph.get(file) ?? []) visit(target, [...trail, file]);
      state.set(file, 'done');
    };
    for (const file of graph.keys()) visit(file, []);
    expect(cycles).toEqual([]);
  });

  it('the ground floor imports nothing of the project', () => {
    const ground = [...graph].filter(([file]) => unitOf(file) === 'dialog');
    expect(ground.length).toBeGreaterThan(0);
    for (const [file, imports] of ground) expect({ file, imports: imports.filter((each) => unitOf(each) !== 'dialog') }).toEqual({ file, imports: [] });
  });

  it('botbuilder is imported only in src/bot, restify only in src/server and the folders that own routes', () => {
    const packages = (file: string) => [...readFileSync(path.join(SRC, file), 'utf8').matchAll(/from '([^.'][^']*)'/g)].map((match) => match[1]!);
    for (const file of graph.keys()) {
      const unit = unitOf(file);
      if (packages(file).some((name) => name === 'botbuilder' || name.startsWith('botbuilder-'))) expect({ file, unit }).toEqual({ file, unit: 'bot' });
      if (packages(file).includes('restify')) expect(['server', 'http', 'directLine', 'referenceService']).toContain(unit);
    }
  });
});
