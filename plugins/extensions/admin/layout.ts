import type { GraphNode, PipelineGraph } from '../../../core/graph/build.js';

/** A node placed on the page: its column (layer) and its row within it. */
export interface Placed {
  node: GraphNode;
  column: number;
  row: number;
}

export interface Layout {
  /** Column by column, top to bottom. */
  placed: Placed[];
  /** Producer -> consumer, fan-outs left out (a fan-out's producer feeds its exporters directly). */
  edges: [GraphNode, GraphNode][];
  columns: number;
  rows: number;
}

/** What a node feeds, seen through fan-outs. */
function consumersOf(node: GraphNode): GraphNode[] {
  return node.next.flatMap((n) => (n.kind === 'fanout' ? n.next : [n]));
}

/**
 * A layered layout, left to right: each node in the column of its longest path from a receiver (so
 * an edge never passes behind a node of the column it skips in a plain pipeline), and rows ordered by
 * their producers' rows so edges cross little. Receivers come first, then each pipeline's processors,
 * its exporters and connectors, then the pipelines connectors feed.
 */
export function layOut(graph: PipelineGraph): Layout {
  // graph.nodes lists consumers before producers: reversed, every producer comes before what it feeds.
  const order = [...graph.nodes].reverse().filter((n) => n.kind !== 'fanout');
  const edges: [GraphNode, GraphNode][] = order.flatMap((n) =>
    consumersOf(n).map((c): [GraphNode, GraphNode] => [n, c]),
  );
  const column = new Map<GraphNode, number>(order.map((n) => [n, 0]));
  for (const n of order)
    for (const c of consumersOf(n)) column.set(c, Math.max(column.get(c) ?? 0, (column.get(n) ?? 0) + 1));
  const last = Math.max(0, ...column.values());

  const producers = new Map<GraphNode, GraphNode[]>();
  for (const [from, to] of edges) producers.set(to, [...(producers.get(to) ?? []), from]);
  const rowOf = new Map<GraphNode, number>();
  const byColumn: GraphNode[][] = Array.from({ length: last + 1 }, () => []);
  for (const n of pipelineOrder(graph, order)) byColumn[column.get(n) ?? 0]?.push(n);
  for (const nodes of byColumn) {
    // Barycenter: the mean row of a node's producers; ties keep pipeline order (sort is stable).
    const weight = (n: GraphNode) => {
      const rows = (producers.get(n) ?? []).map((p) => rowOf.get(p) ?? 0);
      return rows.length ? rows.reduce((a, b) => a + b, 0) / rows.length : 0;
    };
    if (nodes !== byColumn[0]) nodes.sort((a, b) => weight(a) - weight(b));
    for (const [i, n] of nodes.entries()) rowOf.set(n, i);
  }
  return {
    placed: byColumn.flatMap((nodes, c) => nodes.map((node, row) => ({ node, column: c, row }))),
    edges,
    columns: last + 1,
    rows: Math.max(1, ...byColumn.map((c) => c.length)),
  };
}

/** Nodes in the order the config lists them: pipeline by pipeline, receivers, processors, exporters. */
function pipelineOrder(graph: PipelineGraph, order: GraphNode[]): GraphNode[] {
  const seen = new Set<GraphNode>();
  for (const p of graph.pipelines.values())
    for (const n of [...p.receivers, ...p.processors, ...p.exporters]) seen.add(n);
  for (const n of order) seen.add(n);
  return [...seen];
}
