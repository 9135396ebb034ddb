import type { GraphNode, PipelineGraph } from './build.js';

/** Receivers and exporters are one instance per signal: the label says which. */
const caption = (n: GraphNode, newline: string, arrow: string) => {
  if (n.kind === 'connector') return `${n.id}${newline}${n.signal} ${arrow} ${n.to}`;
  if (n.kind === 'fanout') return 'fan-out';
  return n.kind === 'receiver' || n.kind === 'exporter' ? `${n.id}${newline}${n.signal}` : n.id;
};
const label = (n: GraphNode) => caption(n, '<br/>', '→');
const plainLabel = (n: GraphNode) => caption(n, '\\n', '->');

/** Stable, syntax-safe node names: n0, n1, ... in graph order. */
function names(graph: PipelineGraph): Map<GraphNode, string> {
  return new Map([...graph.nodes].reverse().map((n, i) => [n, `n${i}`]));
}

/** A mermaid flowchart: receivers, a box per pipeline (processors, fan-out), exporters, connectors. */
export function renderMermaid(graph: PipelineGraph): string {
  const id = names(graph);
  const shape = (n: GraphNode) => {
    const text = JSON.stringify(label(n));
    if (n.kind === 'receiver') return `${id.get(n)}[/${text}/]`;
    if (n.kind === 'exporter') return `${id.get(n)}[\\${text}\\]`;
    if (n.kind === 'connector') return `${id.get(n)}{{${text}}}`;
    if (n.kind === 'fanout') return `${id.get(n)}((${text}))`;
    return `${id.get(n)}[${text}]`;
  };
  const lines = ['flowchart LR'];
  const inPipeline = new Set<GraphNode>();
  for (const [pipeline, p] of graph.pipelines) {
    lines.push(`  subgraph ${id.get(p.fanout)}_box [${JSON.stringify(pipeline)}]`);
    for (const n of [...p.processors, p.fanout]) {
      lines.push(`    ${shape(n)}`);
      inPipeline.add(n);
    }
    lines.push('  end');
  }
  const outside = [...graph.nodes].reverse().filter((n) => !inPipeline.has(n));
  for (const n of outside) lines.push(`  ${shape(n)}`);
  for (const n of [...graph.nodes].reverse())
    for (const next of n.next) lines.push(`  ${id.get(n)} --> ${id.get(next)}`);
  return `${lines.join('\n')}\n`;
}

/** A Graphviz DOT digraph of the same graph. */
export function renderDot(graph: PipelineGraph): string {
  const id = names(graph);
  const shapes: Record<GraphNode['kind'], string> = {
    receiver: 'invhouse',
    processor: 'box',
    fanout: 'point',
    exporter: 'house',
    connector: 'hexagon',
    extension: 'component',
  };
  const node = (n: GraphNode) => `${id.get(n)} [label=${dotString(plainLabel(n))}, shape=${shapes[n.kind]}];`;
  const lines = ['digraph tributary {', '  rankdir=LR;'];
  const inPipeline = new Set<GraphNode>();
  for (const [pipeline, p] of graph.pipelines) {
    lines.push(`  subgraph cluster_${id.get(p.fanout)} {`, `    label=${dotString(pipeline)};`);
    for (const n of [...p.processors, p.fanout]) {
      lines.push(`    ${node(n)}`);
      inPipeline.add(n);
    }
    lines.push('  }');
  }
  for (const n of [...graph.nodes].reverse()) if (!inPipeline.has(n)) lines.push(`  ${node(n)}`);
  for (const n of [...graph.nodes].reverse())
    for (const next of n.next) lines.push(`  ${id.get(n)} -> ${id.get(next)};`);
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

/** A DOT string: quotes escaped, `\n` kept as DOT's line break. */
function dotString(text: string): string {
  return `"${text.replace(/"/g, '\\"')}"`;
}
