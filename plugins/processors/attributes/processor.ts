import type { Attributes } from '@opentelemetry/api';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { attributeActions } from '../../../core/attributes/actions.js';
import type { Consumer, Processor } from '../../../core/component.js';
import type { Batch, Signal } from '../../../core/signals.js';
import type { AttributesConfig } from './config.js';

type WithAttributes = { attributes: Attributes };

/** The items whose attributes the actions change: spans, log records, or metric data points. */
function itemsOf(signal: Signal, batch: Batch): WithAttributes[] {
  if (signal !== 'metrics') return batch as WithAttributes[];
  return (batch as ResourceMetrics[]).flatMap((r) =>
    r.scopeMetrics.flatMap((s) => s.metrics.flatMap((m) => m.dataPoints as WithAttributes[])),
  );
}

/** The `attributes` processor: the actions on the attributes of every span, log record or data point. */
export class AttributesProcessor<S extends Signal> implements Processor<S> {
  /** It gives each item new attributes (never changing the object it had: the SDK may hold it). */
  readonly mutatesData = true;
  private readonly apply: ReturnType<typeof attributeActions>;

  constructor(
    private readonly signal: S,
    config: AttributesConfig,
    private readonly next: Consumer<S>,
  ) {
    this.apply = attributeActions(config.actions);
  }

  async start(): Promise<void> {}
  async shutdown(): Promise<void> {}

  consume(batch: Batch<S>): Promise<void> {
    for (const item of itemsOf(this.signal, batch)) item.attributes = this.apply(item.attributes);
    return this.next.consume(batch);
  }
}
