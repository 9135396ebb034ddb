import type { ComponentKind } from '../component.js';
import type { ComponentConfig, ValidConfig } from '../config/validate.js';
import { signalOfPipeline } from '../config/validate.js';
import { TributaryError, TributaryErrors } from '../errors.js';
import type { Signal } from '../signals.js';

/** One instance to create: a component for one signal (or route), or a pipeline's fan-out. */
export interface GraphNode {
  key: string;
  kind: ComponentKind | 'fanout';
  /** Component id, or the pipeline id for a fan-out. */
  id: string;
  signal: Signal;
  /** Connectors: the signal they emit. */
  to?: Signal;
  /** Processors and fan-outs: the pipeline they belong to. */
  pipeline?: string;
  component?: ComponentConfig;
  next: GraphNode[];
}

export interface PipelineGraph {
  /** Every node, consumers before their producers: the order to create and start them in. */
  nodes: GraphNode[];
  pipelines: Map<
    string,
    {
      signal: Signal;
      receivers: GraphNode[];
      processors: GraphNode[];
      fanout: GraphNode;
      exporters: GraphNode[];
    }
  >;
}

/**
 * Compiles `service.pipelines` into a DAG: receivers shared per (id, signal), a processor instance per
 * pipeline, a fan-out before the exporters, connectors joining pipelines. Rejects cycles naming the loop.
 */
export function buildGraph(config: ValidConfig): PipelineGraph {
  const { components, service, source } = config;
  const nodes = new Map<string, GraphNode>();
  const node = (key: string, init: Omit<GraphNode, 'key' | 'next'>) => {
    const existing = nodes.get(key);
    if (existing) return existing;
    const created: GraphNode = { key, next: [], ...init };
    nodes.set(key, created);
    return created;
  };
  const pipelines: PipelineGraph['pipelines'] = new Map();
  const errors: TributaryError[] = [];

  // Pipelines, as each lists them; connectors are resolved below once every pipeline is known.
  for (const [pipeline, p] of Object.entries(service.pipelines)) {
    const signal = signalOfPipeline(pipeline);
    const fanout = node(`fanout:${pipeline}`, { kind: 'fanout', id: pipeline, signal, pipeline });
    const processors = p.processors.map((id) =>
      node(`processor:${pipeline}:${id}`, {
        kind: 'processor',
        id,
        signal,
        pipeline,
        component: components.processors.get(id),
      }),
    );
    for (const [i, proc] of processors.entries()) proc.next.push(processors[i + 1] ?? fanout);
    const receivers = p.receivers
      .filter((id) => components.receivers.has(id))
      .map((id) =>
        node(`receiver:${id}:${signal}`, {
          kind: 'receiver',
          id,
          signal,
          component: components.receivers.get(id),
        }),
      );
    const exporters = p.exporters
      .filter((id) => components.exporters.has(id))
      .map((id) =>
        node(`exporter:${id}:${signal}`, {
          kind: 'exporter',
          id,
          signal,
          component: components.exporters.get(id),
        }),
      );
    fanout.next.push(...exporters);
    const entry = processors[0] ?? fanout;
    for (const r of receivers) r.next.push(entry);
    pipelines.set(pipeline, { signal, receivers, processors, fanout, exporters });
  }

  for (const [id, component] of components.connectors) {
    const asExporter = Object.entries(service.pipelines).filter(([, p]) => p.exporters.includes(id));
    const asReceiver = Object.entries(service.pipelines).filter(([, p]) => p.receivers.includes(id));
    if (!asExporter.length && !asReceiver.length) continue;
    const routes = Object.keys(component.plugin.create);
    let used = false;
    for (const [fromPipeline] of asExporter) {
      const from = signalOfPipeline(fromPipeline);
      const fanout = pipelines.get(fromPipeline)?.fanout as GraphNode;
      for (const [toPipeline] of asReceiver) {
        const to = signalOfPipeline(toPipeline);
        if (!routes.includes(`${from}->${to}`)) continue;
        used = true;
        const connector = node(`connector:${id}:${from}->${to}`, {
          kind: 'connector',
          id,
          signal: from,
          to,
          component,
        });
        if (!fanout.next.includes(connector)) fanout.next.push(connector);
        const target = pipelines.get(toPipeline);
        const entry = target?.processors[0] ?? (target?.fanout as GraphNode);
        if (!connector.next.includes(entry)) connector.next.push(entry);
      }
    }
    if (!used) {
      const role = asExporter.length ? 'receiver' : 'exporter';
      const where = (asExporter.length ? asExporter : asReceiver).map(([p]) => p).join(', ');
      errors.push(
        new TributaryError(
          'TRB_CONFIG_CONNECTOR_UNUSED',
          `connector "${id}" is used in ${where} but no pipeline it can feed lists it as a ${role}`,
          source.locate(['connectors', id]),
          `a connector must be an exporter in one pipeline and a receiver in another; "${component.type}" supports ${routes.join(', ')}`,
        ),
      );
    }
  }
  if (errors.length) throw new TributaryErrors(errors);
  return { nodes: orderNodes(nodes, config), pipelines };
}

/**
 * Consumers before producers, in layers: reversed, every receiver comes first, then what they feed,
 * and so on, so shutdown stops all data at its sources before any processor or exporter drains.
 */
function orderNodes(nodes: Map<string, GraphNode>, config: ValidConfig): GraphNode[] {
  rejectCycles(nodes, config);
  const inputs = new Map<GraphNode, number>([...nodes.values()].map((n) => [n, 0]));
  for (const n of nodes.values()) for (const next of n.next) inputs.set(next, (inputs.get(next) ?? 0) + 1);
  const layered = [...nodes.values()].filter((n) => inputs.get(n) === 0);
  for (let i = 0; i < layered.length; i++) {
    for (const next of (layered[i] as GraphNode).next) {
      const left = (inputs.get(next) ?? 0) - 1;
      inputs.set(next, left);
      if (left === 0) layered.push(next);
    }
  }
  return layered.reverse();
}

/** A depth-first walk: a back edge is a cycle, named by the pipelines and connectors on it. */
function rejectCycles(nodes: Map<string, GraphNode>, config: ValidConfig): void {
  const state = new Map<GraphNode, 'visiting' | 'done'>();
  const stack: GraphNode[] = [];
  const visit = (n: GraphNode) => {
    if (state.get(n) === 'done') return;
    if (state.get(n) === 'visiting') {
      const labels = [...stack.slice(stack.indexOf(n)), n]
        .map((x) => (x.kind === 'connector' ? x.id : x.pipeline))
        .filter(Boolean);
      const loop = labels.filter((label, i) => label !== labels[i - 1]);
      throw new TributaryError(
        'TRB_CONFIG_CYCLE',
        `pipelines form a cycle: ${loop.join(' -> ')}`,
        config.source.locate(['service', 'pipelines', n.pipeline ?? '']),
        'a connector must not lead back into a pipeline that feeds it',
      );
    }
    state.set(n, 'visiting');
    stack.push(n);
    for (const next of n.next) visit(next);
    stack.pop();
    state.set(n, 'done');
  };
  for (const n of nodes.values()) visit(n);
}
