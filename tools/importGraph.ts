import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The layers of src/, lowest first. A module may import its own folder and any lower layer, never a higher
 * one; folders in the same layer may not import each other either, so no layer grows a hidden dependency.
 * A new folder must be given a layer here.
 */
export const LAYERS: readonly (readonly string[])[] = [
  ['dialog', 'logger.ts'],
  ['content', 'metrics.ts', 'http', 'state', 'accountService'],
  ['machine', 'nlu', 'config.ts', 'reminders'],
  ['conversation', 'directLine', 'referenceService'],
  ['bot', 'studio', 'insights'],
  ['server'],
  ['index.ts', 'buildModel.ts'],
];

export interface ImportGraph {
  src: string;
  /** File under src/ ("state/turnGate.ts") → the project files it imports, relative to src/. */
  files: Map<string, string[]>;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** The project's own imports of a file, relative to src/; a path outside src/ starts with "..". */
function importsOf(src: string, file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((match) => match[1]!);
  return specifiers.map((specifier) => {
    const target = path.resolve(path.dirname(file), specifier);
    return path.relative(src, target.endsWith('.json') ? target : `${target}.ts`);
  });
}

export function readImportGraph(root: string): ImportGraph {
  const src = path.join(root, 'src');
  return { src, files: new Map(sourceFiles(src).map((file) => [path.relative(src, file), importsOf(src, file)])) };
}

/** "state/turnGate.ts" → "state"; "index.ts" → "index.ts". */
export function unitOf(file: string): string {
  return file.split(path.sep)[0]!;
}

/** The layer of a folder or top-level file, or -1 when it has none. */
export function layerOf(unit: string): number {
  return LAYERS.findIndex((units) => units.includes(unit));
}

/** Imports between folders, counted: "bot -> conversation" → 5. */
export function unitImports(graph: ImportGraph): Map<string, number> {
  const counts = new Map<string, number>();
  for (const [file, imports] of graph.files) {
    for (const target of imports) {
      if (target.startsWith('..') || unitOf(target) === unitOf(file)) continue;
      const edge = `${unitOf(file)} -> ${unitOf(target)}`;
      counts.set(edge, (counts.get(edge) ?? 0) + 1);
    }
  }
  return counts;
}

/** The folders of src/ as a Mermaid picture, one row per layer, top layer first, arrows labelled with counts. */
export function drawing(graph: ImportGraph): string {
  const id = (unit: string) => unit.replace(/\W/g, '_');
  const lines = ['flowchart TB'];
  [...LAYERS].reverse().forEach((units, index) => {
    lines.push(`  subgraph layer${LAYERS.length - 1 - index}[" "]`, '    direction LR');
    for (const unit of units) lines.push(`    ${id(unit)}["${unit}"]`);
    lines.push('  end');
  });
  for (const [edge, count] of [...unitImports(graph)].sort()) {
    const [from, to] = edge.split(' -> ');
    lines.push(`  ${id(from!)} -->|${count}| ${id(to!)}`);
  }
  return `${lines.join('\n')}\n`;
}
