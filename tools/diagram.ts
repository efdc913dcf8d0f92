import dagre from '@dagrejs/dagre';
import { isFormNode } from '../src/content/dialogSchema';
import type { Content } from '../src/content/loadContent';
import type { Language } from '../src/dialog/languages';
import { createTranslator } from '../src/content/i18n';

/** The dialog as a graph: one box per node, one arrow per choice or action outcome. */
export interface DialogGraph {
  nodes: Array<{ id: string; kind: 'menu' | 'message' | 'form'; title: string; lines: string[] }>;
  edges: Array<{ from: string; to: string; label: string; kind: 'choice' | 'outcome' }>;
}

const MAX_LINE = 44;

function shorten(text: string, length = MAX_LINE): string {
  const plain = text
    .replace(/\*\*/g, '')
    .replace(/\[([^\]]+)\]\([^)]+\)/g, '$1')
    .replace(/\s+/g, ' ')
    .trim();
  return plain.length > length ? `${plain.slice(0, length - 1)}…` : plain;
}

export function dialogGraph(content: Content, language: Language): DialogGraph {
  const t = createTranslator(content).getFixedT(language);
  const say = (key: string) =>
    shorten(t(key, { links: content.dialog.links, count: 30, lockedUntil: '10:30', reference: 'HD-…' }));
  const graph: DialogGraph = { nodes: [], edges: [] };
  for (const [id, node] of Object.entries(content.dialog.nodes)) {
    if (isFormNode(node)) {
      graph.nodes.push({
        id,
        kind: 'form',
        title: `${id} (${node.topic})`,
        lines: [
          ...node.ask.map((question) => `? ${say(question.prompt)}`),
          ...(node.confirm ? [`✓ ${say(node.confirm.send)}`] : []),
          `⚙ ${node.action}`,
        ],
      });
      for (const [outcome, target] of Object.entries(node.outcomes))
        graph.edges.push({ from: id, to: target, label: outcome, kind: 'outcome' });
    } else {
      graph.nodes.push({
        id,
        kind: id === content.dialog.start ? 'menu' : 'message',
        title: `${id} (${node.topic})`,
        lines: [say(node.say[0]!)],
      });
      for (const choice of node.choices)
        graph.edges.push({ from: id, to: choice.goto, label: shorten(t(choice.label), 40), kind: 'choice' });
      if (node.then) graph.edges.push({ from: id, to: node.then, label: 'then', kind: 'choice' });
    }
  }
  return graph;
}

/** Mermaid source; GitHub and most markdown viewers draw it. */
export function toMermaid(graph: DialogGraph): string {
  const quote = (text: string) => text.replace(/"/g, '#quot;');
  const lines = ['flowchart LR'];
  for (const node of graph.nodes) {
    const label = quote([`<b>${node.title}</b>`, ...node.lines].join('<br/>'));
    lines.push(
      node.kind === 'form'
        ? `  ${node.id}[["${label}"]]`
        : node.kind === 'menu'
          ? `  ${node.id}(["${label}"])`
          : `  ${node.id}["${label}"]`,
    );
  }
  for (const edge of graph.edges) {
    lines.push(
      edge.kind === 'outcome'
        ? `  ${edge.from} -. "${quote(edge.label)}" .-> ${edge.to}`
        : `  ${edge.from} -- "${quote(edge.label)}" --> ${edge.to}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

const escape = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The picture's style sheet: how nodes, edges and their labels look. */
const STYLE = [
  '.node rect{fill:#fff;stroke:#4a6fa5;stroke-width:1.5}',
  '.node.form rect{fill:#fff8e6;stroke:#c28a00}',
  '.node.menu rect{fill:#eaf2ff;stroke:#1f4e8c;stroke-width:2.5}',
  '.title{font-weight:600}',
  '.edge{fill:none;stroke:#555;stroke-width:1.2}',
  '.edge.outcome{stroke-dasharray:5 4}',
  '.edge-label rect{fill:#fff;opacity:.9}',
  '.edge-label text{font-size:10.5px;fill:#333}',
].join('');

/** A self-contained SVG laid out with dagre: opens in any browser, no network needed. */
export function toSvg(graph: DialogGraph): string {
  const layout = new dagre.graphlib.Graph({ multigraph: true });
  layout.setGraph({ rankdir: 'TB', nodesep: 24, ranksep: 70, edgesep: 12, marginx: 20, marginy: 20 });
  const charWidth = 6.6;
  const lineHeight = 16;
  for (const node of graph.nodes) {
    const longest = Math.max(node.title.length, ...node.lines.map((line) => line.length));
    layout.setNode(node.id, {
      width: Math.ceil(longest * charWidth) + 24,
      height: (node.lines.length + 1) * lineHeight + 16,
    });
  }
  graph.edges.forEach((edge, index) => {
    layout.setEdge(
      edge.from,
      edge.to,
      { label: edge.label, width: edge.label.length * 6 + 8, height: 14, labelpos: 'c' },
      `e${index}`,
    );
  });
  dagre.layout(layout);
  const size = layout.graph() as { width?: number; height?: number };
  const parts: string[] = [];
  graph.edges.forEach((edge, index) => {
    const laid = layout.edge({ v: edge.from, w: edge.to, name: `e${index}` }) as {
      points: Array<{ x: number; y: number }>;
      x: number;
      y: number;
    };
    const path = laid.points
      .map((point, at) => `${at === 0 ? 'M' : 'L'}${point.x.toFixed(1)},${point.y.toFixed(1)}`)
      .join(' ');
    parts.push(`<path class="edge ${edge.kind}" d="${path}" marker-end="url(#arrow)"/>`);
    const width = edge.label.length * 6 + 8;
    parts.push(
      '<g class="edge-label">' +
        `<rect x="${(laid.x - width / 2).toFixed(1)}" y="${(laid.y - 8).toFixed(1)}" ` +
        `width="${width}" height="15" rx="3"/>` +
        `<text x="${laid.x.toFixed(1)}" y="${(laid.y + 3).toFixed(1)}" text-anchor="middle">` +
        `${escape(edge.label)}</text></g>`,
    );
  });
  for (const node of graph.nodes) {
    const laid = layout.node(node.id) as { x: number; y: number; width: number; height: number };
    const left = laid.x - laid.width / 2;
    const top = laid.y - laid.height / 2;
    const text = [node.title, ...node.lines]
      .map(
        (line, at) =>
          `<text x="${(left + 12).toFixed(1)}" y="${(top + 20 + at * lineHeight).toFixed(1)}"` +
          `${at === 0 ? ' class="title"' : ''}>${escape(line)}</text>`,
      )
      .join('');
    parts.push(
      `<g class="node ${node.kind}" id="node-${node.id}">` +
        `<rect x="${left.toFixed(1)}" y="${top.toFixed(1)}" width="${laid.width}" height="${laid.height}" rx="8"/>` +
        `${text}</g>`,
    );
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${Math.ceil(size.width ?? 0)}" height="${Math.ceil(size.height ?? 0)}" font-family="system-ui, sans-serif" font-size="12">`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" ' +
      'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>',
    `<style>${STYLE}</style>`,
    ...parts,
    '</svg>',
  ].join('\n');
}
