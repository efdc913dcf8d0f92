import { readFileSync } from 'node:fs';
import path from 'node:path';
import { drawing, layerOf, LAYERS, readImportGraph, unitOf } from '../tools/importGraph';
import { ROOT } from './support/helpers';

const graph = readImportGraph(ROOT);
const projectImports = (imports: string[]) => imports.filter((target) => !target.startsWith('..'));

describe('the house: imports between the files of src/', () => {
  it('every folder has a layer and every import names a file that exists', () => {
    for (const [file, imports] of graph.files) {
      expect({ unit: unitOf(file), layer: layerOf(unitOf(file)) >= 0 }).toEqual({ unit: unitOf(file), layer: true });
      for (const target of projectImports(imports)) {
        expect({ file, target, exists: graph.files.has(target) }).toEqual({ file, target, exists: true });
      }
    }
  });

  it('no import runs uphill, or sideways between folders of one layer', () => {
    const offending: string[] = [];
    for (const [file, imports] of graph.files) {
      const from = unitOf(file);
      for (const target of projectImports(imports)) {
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
      for (const target of graph.files.get(file) ?? []) visit(target, [...trail, file]);
      state.set(file, 'done');
    };
    for (const file of graph.files.keys()) visit(file, []);
    expect(cycles).toEqual([]);
  });

  it('the ground floor imports nothing of the project', () => {
    const ground = [...graph.files].filter(([file]) => layerOf(unitOf(file)) === 0);
    expect(ground.length).toBeGreaterThan(0);
    for (const [file, imports] of ground) {
      const upward = projectImports(imports).filter((target) => unitOf(target) !== unitOf(file));
      expect({ file, upward }).toEqual({ file, upward: [] });
    }
  });

  it('botbuilder is imported only in src/bot, restify only by the folders that own routes', () => {
    const packagesOf = (file: string) =>
      [...readFileSync(path.join(graph.src, file), 'utf8').matchAll(/from '([^.'][^']*)'/g)].map((match) => match[1]!);
    for (const file of graph.files.keys()) {
      const unit = unitOf(file);
      const packages = packagesOf(file);
      if (packages.some((name) => name === 'botbuilder' || name.startsWith('botbuilder-'))) {
        expect({ file, unit }).toEqual({ file, unit: 'bot' });
      }
      if (packages.includes('restify')) expect(['server', 'http', 'directLine', 'referenceService']).toContain(unit);
    }
  });

  it('docs/architecture.md draws the house as it is (npm run architecture)', () => {
    const page = readFileSync(path.join(ROOT, 'docs', 'architecture.md'), 'utf8');
    expect(page).toContain(drawing(graph).trimEnd());
    for (const units of LAYERS) for (const unit of units) expect(page).toContain(`["${unit}"]`);
  });
});
