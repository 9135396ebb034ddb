import type { Component, Consumer, Extension } from '../component.js';
import type { ValidConfig } from '../config/validate.js';
import type { CreateContext } from '../plugin.js';
import type { Signal } from '../signals.js';
import type { GraphNode, PipelineGraph } from './build.js';
import { fanout, type Target } from './fanout.js';

export interface Instance {
  id: string;
  kind: GraphNode['kind'];
  signal?: Signal;
  component: Component;
}

type ContextFor = (node: {
  id: string;
  kind: Instance['kind'];
  type: string;
  config: unknown;
  pipeline?: string;
  signal?: Signal;
}) => CreateContext;
type Observe = <S extends Signal>(id: string, signal: S, next: Consumer<S>) => Consumer<S>;
/** A running component to keep instead of creating this one (a reload keeps unchanged exporters and extensions). */
export type Reuse = (node: {
  id: string;
  kind: Instance['kind'];
  type: string;
  config: unknown;
  signal?: Signal;
}) => Component | undefined;

/**
 * Creates every component of the graph, consumers before producers, and returns them in start order:
 * extensions first, then the graph's nodes so each starts after everything it feeds.
 */
export function instantiate(
  config: ValidConfig,
  graph: PipelineGraph,
  contextFor: ContextFor,
  observeReceiver: Observe,
  reuse: Reuse = () => undefined,
): Instance[] {
  const instances: Instance[] = [];
  for (const id of config.service.extensions) {
    const c = config.components.extensions.get(id);
    if (c?.plugin.kind !== 'extension') continue;
    const extension =
      reuse({ id, kind: 'extension', type: c.type, config: c.config }) ??
      c.plugin.create(contextFor({ id, kind: 'extension', type: c.type, config: c.config }) as never);
    instances.push({ id, kind: 'extension', component: extension });
  }

  const targets = new Map<GraphNode, Target>();
  const nextOf = (node: GraphNode): Target =>
    fanout(
      node.to ?? node.signal,
      node.next.map((n) => targets.get(n) as Target),
    );
  for (const node of graph.nodes) {
    if (node.kind === 'fanout') {
      targets.set(node, nextOf(node));
      continue;
    }
    const c = node.component;
    if (!c) continue;
    if (node.kind === 'exporter') {
      const kept = reuse({
        id: node.id,
        kind: node.kind,
        type: c.type,
        config: c.config,
        signal: node.signal,
      });
      if (kept) {
        targets.set(node, {
          consumer: kept as unknown as Consumer,
          mutates: Boolean((kept as Partial<Consumer>).mutatesData),
        });
        instances.push({ id: node.id, kind: node.kind, signal: node.signal, component: kept });
        continue;
      }
    }
    const ctx = contextFor({
      id: node.id,
      kind: node.kind,
      type: c.type,
      config: c.config,
      pipeline: node.pipeline,
      signal: node.signal,
    });
    const route = node.kind === 'connector' ? `${node.signal}->${node.to}` : node.signal;
    const create = (
      c.plugin.create as Record<
        string,
        (ctx: CreateContext, next?: Consumer) => Component & Partial<Consumer>
      >
    )[route];
    if (!create) continue;
    const next = node.kind === 'exporter' ? undefined : nextOf(node);
    const component = create(
      ctx,
      node.kind === 'receiver'
        ? observeReceiver(node.id, node.signal, next?.consumer as Consumer)
        : next?.consumer,
    );
    // A processor or connector passes its batch on: it mutates if anything after it does.
    if (node.kind !== 'receiver')
      targets.set(node, {
        consumer: component as Consumer,
        mutates: Boolean(component.mutatesData) || Boolean(next?.mutates),
      });
    instances.push({ id: node.id, kind: node.kind, signal: node.signal, component });
  }
  return instances;
}

export function findExtension<T extends Extension>(
  instances: readonly Instance[],
  id: string,
): T | undefined {
  return instances.find((i) => i.kind === 'extension' && i.id === id)?.component as T | undefined;
}
