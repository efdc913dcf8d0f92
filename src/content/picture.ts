import dagre from '@dagrejs/dagre';
import { isFormNode } from './dialogSchema';
import type { Content } from './loadContent';
import type { Language } from '../dialog/languages';
import { createTranslator } from './i18n';

/** The dialog as a graph: one box per node, one arrow per choice or action outcome. */
export interface DialogGraph {
  nodes: Array<{ id: string; kind: 'menu' | 'message' | 'form'; title: string; lines: string[] }>;
  edges: Array<{ from: string; to: string; label: string; kind: 'choice' | 'outcome' }>;
}

/** The graph laid out: where each box and each arrow goes, in pixels, for a drawing of `width` × `height`. */
export interface LaidOutGraph {
  width: number;
  height: number;
  lineHeight: number;
  nodes: Array<DialogGraph['nodes'][number] & { x: number; y: number; width: number; height: number }>;
  edges: Array<
    DialogGraph['edges'][number] & { points: Array<{ x: number; y: number }>; x: number; y: number; labelWidth: number }
  >;
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

/** Lays the graph out top to bottom with dagre; boxes sized for 12px text. */
export function layOut(graph: DialogGraph): LaidOutGraph {
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
  const labelWidth = (label: string) => label.length * 6 + 8;
  graph.edges.forEach((edge, index) => {
    layout.setEdge(
      edge.from,
      edge.to,
      { label: edge.label, width: labelWidth(edge.label), height: 14, labelpos: 'c' },
      `e${index}`,
    );
  });
  dagre.layout(layout);
  const size = layout.graph() as { width?: number; height?: number };
  return {
    width: Math.ceil(size.width ?? 0),
    height: Math.ceil(size.height ?? 0),
    lineHeight,
    nodes: graph.nodes.map((node) => {
      const laid = layout.node(node.id) as { x: number; y: number; width: number; height: number };
      return { ...node, x: laid.x, y: laid.y, width: laid.width, height: laid.height };
    }),
    edges: graph.edges.map((edge, index) => {
      const laid = layout.edge({ v: edge.from, w: edge.to, name: `e${index}` }) as {
        points: Array<{ x: number; y: number }>;
        x: number;
        y: number;
      };
      return { ...edge, points: laid.points, x: laid.x, y: laid.y, labelWidth: labelWidth(edge.label) };
    }),
  };
}
