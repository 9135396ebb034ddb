import type { MetricData, ResourceMetrics, ScopeMetrics } from '@opentelemetry/sdk-metrics';
import type { Batch, Signal } from '../../../core/signals.js';

/** What the batch processor holds between sends, in arrival order. */
export interface BatchBuffer<S extends Signal> {
  /** Items held: spans, metric data points or log records. */
  readonly count: number;
  /** True when nothing is held (a metrics buffer may hold metrics that have no data points). */
  readonly empty: boolean;
  add(batch: Batch<S>, items: number): void;
  /** Removes and returns the first `max` items held (all of them when `max` is 0). */
  take(max: number): Batch<S>;
  /** Called after a run of takes: lets go of what was taken. */
  compact(): void;
}

export function createBuffer<S extends Signal>(signal: S): BatchBuffer<S> {
  return (signal === 'metrics' ? new MetricsBuffer() : new ItemBuffer()) as unknown as BatchBuffer<S>;
}

/** Spans and log records: a flat list of items, consumed from the front. */
export class ItemBuffer<T> {
  private items: T[] = [];
  private head = 0;

  get count(): number {
    return this.items.length - this.head;
  }

  get empty(): boolean {
    return this.items.length === this.head;
  }

  add(batch: readonly T[], _items?: number): void {
    // A loop, not push(...batch): spreading a large batch overflows the call stack.
    for (let i = 0; i < batch.length; i++) this.items.push(batch[i] as T);
  }

  take(max: number): T[] {
    const { items, head } = this;
    if (head === 0 && (max === 0 || max >= items.length)) {
      this.items = [];
      return items;
    }
    const end = max === 0 ? items.length : Math.min(items.length, head + max);
    const taken = items.slice(head, end);
    if (end === items.length) {
      this.items = [];
      this.head = 0;
    } else {
      this.head = end;
    }
    return taken;
  }

  /** Drops the slots of items already taken, so a held remainder does not pin them. */
  compact(): void {
    if (this.head === 0) return;
    this.items = this.items.slice(this.head);
    this.head = 0;
  }
}

/** Metrics: whole ResourceMetrics as received, split at data-point granularity when taken. */
export class MetricsBuffer {
  private held: ResourceMetrics[] = [];
  private points = 0;

  get count(): number {
    return this.points;
  }

  get empty(): boolean {
    return this.held.length === 0;
  }

  add(batch: readonly ResourceMetrics[], items: number): void {
    for (let i = 0; i < batch.length; i++) this.held.push(batch[i] as ResourceMetrics);
    this.points += items;
  }

  take(max: number): ResourceMetrics[] {
    if (max === 0 || max >= this.points) {
      const all = this.held;
      this.held = [];
      this.points = 0;
      return all;
    }
    const [taken, rest] = splitMetrics(this.held, max);
    this.held = rest;
    this.points -= max;
    return taken;
  }

  compact(): void {}
}

/**
 * Splits off the first `n` data points of a metrics batch. Every point stays under its own resource,
 * scope and metric descriptor: the containers at the cut are rebuilt holding each side's points,
 * and everything not cut is shared, never copied or changed.
 */
export function splitMetrics(
  batch: readonly ResourceMetrics[],
  n: number,
): [ResourceMetrics[], ResourceMetrics[]] {
  let remaining = n;
  for (let r = 0; r < batch.length; r++) {
    const scopes = (batch[r] as ResourceMetrics).scopeMetrics;
    for (let s = 0; s < scopes.length; s++) {
      const metrics = (scopes[s] as ScopeMetrics).metrics;
      for (let m = 0; m < metrics.length; m++) {
        const points = (metrics[m] as MetricData).dataPoints.length;
        if (remaining === 0 || remaining < points) return cut(batch, r, s, m, remaining);
        remaining -= points;
      }
    }
  }
  return [batch.slice(), []];
}

/** Cuts before data point `p` of metric `m` of scope `s` of resource `r`. */
function cut(
  batch: readonly ResourceMetrics[],
  r: number,
  s: number,
  m: number,
  p: number,
): [ResourceMetrics[], ResourceMetrics[]] {
  const rm = batch[r] as ResourceMetrics;
  const sm = rm.scopeMetrics[s] as ScopeMetrics;
  const metric = sm.metrics[m] as MetricData;

  const head = batch.slice(0, r);
  const headMetrics = sm.metrics.slice(0, m);
  if (p > 0) headMetrics.push(withPoints(metric, 0, p));
  const headScopes = rm.scopeMetrics.slice(0, s);
  if (headMetrics.length > 0) headScopes.push({ scope: sm.scope, metrics: headMetrics });
  if (headScopes.length > 0) head.push({ resource: rm.resource, scopeMetrics: headScopes });

  if (s === 0 && m === 0 && p === 0) return [head, batch.slice(r)];
  const tailMetrics = sm.metrics.slice(m);
  if (p > 0) tailMetrics[0] = withPoints(metric, p, metric.dataPoints.length);
  const tailScopes = rm.scopeMetrics.slice(s);
  tailScopes[0] = { scope: sm.scope, metrics: tailMetrics };
  const tail = batch.slice(r);
  tail[0] = { resource: rm.resource, scopeMetrics: tailScopes };
  return [head, tail];
}

/** The same metric (descriptor, temporality, type) holding a subset of its data points. */
function withPoints(metric: MetricData, from: number, to: number): MetricData {
  return { ...metric, dataPoints: metric.dataPoints.slice(from, to) } as MetricData;
}
