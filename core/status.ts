import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { ComponentKind, ComponentStatus } from './component.js';
import type { DependencyContainer } from './container.js';
import type { PipelineGraph } from './graph/build.js';
import { ENGINE_VERSION } from './version.js';

/** Where an engine is in its life: see docs/ARCHITECTURE.md, Engine lifecycle. */
export type EngineState = 'new' | 'starting' | 'running' | 'stopping' | 'stopped' | 'failed';

/** One component as the status service shows it: its last reported status (the config's secrets masked in its error) and what it is. */
export interface ComponentView extends ComponentStatus {
  id: string;
  kind: ComponentKind;
}

/**
 * What the engine tells extensions about itself (health_check, admin): its state, each component's
 * last status, the compiled graph and its own metrics. Resolved from `ctx.container`; read-only.
 */
export class EngineStatus {
  readonly version = ENGINE_VERSION;
  readonly startedAt = new Date();
  private readonly components = new Map<string, ComponentView>();
  private readonly listeners = new Set<(component: ComponentView) => void>();
  private readonly served = new Map<string, { component: string; url: string }>();

  constructor(
    /** The engine's state now. */
    readonly state: () => EngineState,
    /** The compiled pipeline graph (a reload replaces it). */
    public graph: PipelineGraph,
    /** The engine's own metrics (items accepted, refused, sent, queued...) as of now. */
    readonly selfMetrics: () => Promise<ResourceMetrics>,
  ) {}

  /** A reload replaced the graph: components it no longer has are forgotten, with what they served. */
  replaced(graph: PipelineGraph, gone: ReadonlySet<string>): void {
    this.graph = graph;
    for (const [key, view] of this.components) if (gone.has(view.id)) this.components.delete(key);
    for (const [what, { component }] of this.served) if (gone.has(component)) this.served.delete(what);
  }

  /** Each component's last status: one per kind and id (a receiver and an exporter may share an id). */
  list(): ComponentView[] {
    return [...this.components.values()];
  }

  get(kind: string, id: string): ComponentView | undefined {
    return this.components.get(`${kind} ${id}`);
  }

  /** Calls `listener` on every status change; returns the function that stops it. */
  onChange(listener: (component: ComponentView) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * A component says, as it starts, where people look at what it serves (`metrics`, `health`...):
   * the engine names every such place once, in its ready line.
   */
  announce(component: string, what: string, url: string): void {
    // A second component serving the same kind of thing is named by its id too (`metrics prometheus/2`).
    const taken = this.served.has(what) && this.served.get(what)?.component !== component;
    this.served.set(taken ? `${what} ${component}` : what, { component, url });
  }

  /** What is served where, by what was announced. */
  endpoints(): Record<string, string> {
    return Object.fromEntries([...this.served].map(([what, { url }]) => [what, url]));
  }

  /** The engine records a status (components report theirs through `host.reportStatus`). */
  record(view: ComponentView): void {
    this.components.set(`${view.kind} ${view.id}`, view);
    for (const listener of this.listeners) listener(view);
  }
}

/**
 * Tells the engine where people look at what a component serves (see EngineStatus.announce); a
 * no-op outside an engine (a component under test with a bare container).
 */
export function announce(container: DependencyContainer, component: string, what: string, url: string): void {
  if (container.isRegistered(EngineStatus, true))
    container.resolve(EngineStatus).announce(component, what, url);
}
