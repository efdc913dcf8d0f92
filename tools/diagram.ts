import { dialogGraph, layOut, type DialogGraph } from '../src/content/picture';

export { dialogGraph, type DialogGraph };

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
  const laidOut = layOut(graph);
  const { lineHeight } = laidOut;
  const parts: string[] = [];
  for (const laid of laidOut.edges) {
    const path = laid.points
      .map((point, at) => `${at === 0 ? 'M' : 'L'}${point.x.toFixed(1)},${point.y.toFixed(1)}`)
      .join(' ');
    parts.push(`<path class="edge ${laid.kind}" d="${path}" marker-end="url(#arrow)"/>`);
    const width = laid.labelWidth;
    parts.push(
      '<g class="edge-label">' +
        `<rect x="${(laid.x - width / 2).toFixed(1)}" y="${(laid.y - 8).toFixed(1)}" ` +
        `width="${width}" height="15" rx="3"/>` +
        `<text x="${laid.x.toFixed(1)}" y="${(laid.y + 3).toFixed(1)}" text-anchor="middle">` +
        `${escape(laid.label)}</text></g>`,
    );
  }
  for (const laid of laidOut.nodes) {
    const left = laid.x - laid.width / 2;
    const top = laid.y - laid.height / 2;
    const text = [laid.title, ...laid.lines]
      .map(
        (line, at) =>
          `<text x="${(left + 12).toFixed(1)}" y="${(top + 20 + at * lineHeight).toFixed(1)}"` +
          `${at === 0 ? ' class="title"' : ''}>${escape(line)}</text>`,
      )
      .join('');
    parts.push(
      `<g class="node ${laid.kind}" id="node-${laid.id}">` +
        `<rect x="${left.toFixed(1)}" y="${top.toFixed(1)}" width="${laid.width}" height="${laid.height}" rx="8"/>` +
        `${text}</g>`,
    );
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${laidOut.width}" height="${laidOut.height}" font-family="system-ui, sans-serif" font-size="12">`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" ' +
      'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>',
    `<style>${STYLE}</style>`,
    ...parts,
    '</svg>',
  ].join('\n');
}
