import { escapeHtml } from '../../../core/admin-pages.js';
import type { Layout } from './layout.js';
import type { NodeStatus } from './status.js';

const WIDTH = 240;
const HEIGHT = 66;
const GAP_X = 70;
const GAP_Y = 22;
const PAD = 16;
/** Longer ids are cut with an ellipsis (the full id is the node's tooltip). */
const MAX_ID = 28;

const at = (column: number, row: number) => ({
  x: PAD + column * (WIDTH + GAP_X),
  y: PAD + row * (HEIGHT + GAP_Y),
});

/** What the second line of a node says: the signal, the route, or the pipeline. */
function detail(n: NodeStatus): string {
  if (n.kind === 'connector') return `connector · ${n.signal} → ${n.to}`;
  if (n.kind === 'processor') return `processor · ${n.pipeline}`;
  return `${n.kind} · ${n.signal}`;
}

/**
 * The pipeline graph as inline SVG, laid out on the server: one box per node, with its status dot
 * and its counts (which the page's script updates by `data-node`).
 */
export function renderSvg(layout: Layout, nodes: NodeStatus[]): string {
  const byKey = new Map(nodes.map((n) => [n.key, n]));
  const position = new Map(layout.placed.map((p) => [p.node.key, at(p.column, p.row)]));
  const width = PAD * 2 + layout.columns * WIDTH + (layout.columns - 1) * GAP_X;
  const height = PAD * 2 + layout.rows * HEIGHT + (layout.rows - 1) * GAP_Y;
  const edges = layout.edges.map(([from, to]) => {
    const a = position.get(from.key) ?? at(0, 0);
    const b = position.get(to.key) ?? at(0, 0);
    const [x1, y1, x2, y2] = [a.x + WIDTH, a.y + HEIGHT / 2, b.x - 4, b.y + HEIGHT / 2];
    const bend = (x2 - x1) / 2;
    return `<path class="edge" d="M${x1},${y1} C${x1 + bend},${y1} ${x2 - bend},${y2} ${x2},${y2}" marker-end="url(#arrow)"/>`;
  });
  const boxes = layout.placed.map(({ node }) => {
    const n = byKey.get(node.key) as NodeStatus;
    const { x, y } = position.get(node.key) ?? at(0, 0);
    const id = n.id.length > MAX_ID ? `${n.id.slice(0, MAX_ID - 1)}…` : n.id;
    return [
      `<g class="node ${n.kind}" data-node="${escapeHtml(n.key)}" data-component="${escapeHtml(n.id)}" transform="translate(${x},${y})">`,
      `<title>${escapeHtml(`${n.id} (${detail(n)})`)}</title>`,
      `<rect class="box" width="${WIDTH}" height="${HEIGHT}" rx="8"/>`,
      `<rect class="stripe" width="6" height="${HEIGHT}" rx="3"/>`,
      `<circle class="dot st-${n.status}" data-status cx="${WIDTH - 14}" cy="14" r="6"><title>${n.status}</title></circle>`,
      `<text class="id" x="16" y="21">${escapeHtml(id)}</text>`,
      `<text class="detail" x="16" y="39">${escapeHtml(detail(n))}</text>`,
      `<text class="counts" data-summary x="16" y="57">${escapeHtml(n.summary)}</text>`,
      '</g>',
    ].join('');
  });
  return [
    `<svg class="graph" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="pipeline graph">`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="arrowhead"/></marker></defs>',
    ...edges,
    ...boxes,
    '</svg>',
  ].join('\n');
}
