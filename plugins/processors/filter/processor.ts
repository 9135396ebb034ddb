import type { Attributes, Counter } from '@opentelemetry/api';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { MetricData, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { Consumer, Processor } from '../../../core/component.js';
import type { CreateContext } from '../../../core/plugin.js';
import { type Batch, countItems, type Signal } from '../../../core/signals.js';
import { componentAttributes } from '../../../core/telemetry/attributes.js';
import type { FilterConfig } from './config.js';
import { logTest, metricTests, spanTest } from './match.js';

/** Whether an item is kept: it matches `include` (when given) and not `exclude` (when given). */
function keeps<T>(include: ((item: T) => boolean) | undefined, exclude: ((item: T) => boolean) | undefined) {
  return (item: T) => (!include || include(item)) && !(exclude?.(item) ?? false);
}

/** The batch without what the config drops; new lists, so what it was given is never changed. */
function filterFor(signal: Signal, config: FilterConfig): (batch: Batch) => Batch {
  if (signal === 'traces') {
    const c = config.spans;
    const keep = keeps(c?.include && spanTest(c.include), c?.exclude && spanTest(c.exclude));
    return (batch) => (batch as ReadableSpan[]).filter(keep);
  }
  if (signal === 'logs') {
    const c = config.logs;
    const keep = keeps(c?.include && logTest(c.include), c?.exclude && logTest(c.exclude));
    return (batch) => (batch as ReadableLogRecord[]).filter(keep);
  }
  const c = config.metrics;
  const include = c?.include && metricTests(c.include);
  const exclude = c?.exclude && metricTests(c.exclude);
  const pointsOf = (m: MetricData): MetricData => {
    const inc = include?.metric(m) ? include.point : include ? () => false : undefined;
    const exc = exclude?.metric(m) ? exclude.point : undefined;
    const keep = keeps(inc, exc);
    const dataPoints = (m.dataPoints as { attributes: Attributes }[]).filter((p) => keep(p.attributes));
    return dataPoints.length === m.dataPoints.length ? m : ({ ...m, dataPoints } as MetricData);
  };
  return (batch) =>
    (batch as ResourceMetrics[])
      .map((r) => ({
        ...r,
        scopeMetrics: r.scopeMetrics
          .map((s) => ({ ...s, metrics: s.metrics.map(pointsOf).filter((m) => m.dataPoints.length > 0) }))
          .filter((s) => s.metrics.length > 0),
      }))
      .filter((r) => r.scopeMetrics.length > 0);
}

/** The `filter` processor: drops spans, log records and metric data points by their conditions. */
export class FilterProcessor<S extends Signal> implements Processor<S> {
  private readonly filter: (batch: Batch) => Batch;
  private readonly dropped: Counter;
  private readonly attributes: Attributes;

  constructor(
    private readonly signal: S,
    config: FilterConfig,
    private readonly next: Consumer<S>,
    ctx: CreateContext<FilterConfig>,
  ) {
    this.filter = filterFor(signal, config);
    this.attributes = componentAttributes(ctx, signal);
    this.dropped = ctx.meter.createCounter('tributary_processor_filter_dropped_items', {
      description: 'Items the filter processor dropped by its conditions',
      unit: '{item}',
    });
  }

  async start(): Promise<void> {}
  async shutdown(): Promise<void> {}

  async consume(batch: Batch<S>): Promise<void> {
    const kept = this.filter(batch) as Batch<S>;
    const dropped = countItems(this.signal, batch) - countItems(this.signal, kept);
    if (dropped > 0) this.dropped.add(dropped, this.attributes);
    if (countItems(this.signal, kept) > 0) await this.next.consume(kept);
  }
}
