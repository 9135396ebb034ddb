import type { Attributes, Counter, ObservableCallback, ObservableGauge } from '@opentelemetry/api';
import type { CreateContext } from '../plugin.js';
import type { Signal } from '../signals.js';
import { componentAttributes } from '../telemetry/attributes.js';
import type { BatchQueue } from './storage.js';

/** The counters of items an exporter could not send: what the engine sums up at shutdown. */
export const NOT_SENT_COUNTERS = {
  failed: 'tributary_exporter_send_failed_items',
  dropped: 'tributary_exporter_dropped_items',
} as const;

interface QueueGauge {
  gauge: ObservableGauge;
  callback: ObservableCallback;
}

/** An exporter's self-telemetry: instruments made once, attributes built once. */
export class ExporterTelemetry {
  readonly attributes: Attributes;
  private readonly sentItems: Counter;
  private readonly failedItems: Counter;
  private readonly droppedItems: Counter;
  private readonly queueGauges: QueueGauge[] = [];

  /** With a `queue`, also reports its size and capacity until close(). */
  constructor(
    ctx: Pick<CreateContext, 'id' | 'meter' | 'pipeline'>,
    signal: Signal,
    queue?: BatchQueue<unknown>,
  ) {
    const { meter } = ctx;
    const attributes = componentAttributes(ctx, signal);
    this.attributes = attributes;
    this.sentItems = meter.createCounter('tributary_exporter_sent_items', {
      description: 'Items (spans, metric data points, log records) the exporter sent successfully.',
      unit: '{item}',
    });
    this.failedItems = meter.createCounter(NOT_SENT_COUNTERS.failed, {
      description: 'Items the exporter gave up sending: a permanent error, or retries ran out.',
      unit: '{item}',
    });
    this.droppedItems = meter.createCounter(NOT_SENT_COUNTERS.dropped, {
      description: 'Items the exporter dropped unsent: the queue was full or the exporter was shut down.',
      unit: '{item}',
    });
    if (!queue) return;
    const size = meter.createObservableGauge('tributary_exporter_queue_size', {
      description: 'Batches waiting in the sending queue.',
      unit: '{batch}',
    });
    const capacity = meter.createObservableGauge('tributary_exporter_queue_capacity', {
      description: 'The most batches the sending queue holds.',
      unit: '{batch}',
    });
    this.queueGauges.push(
      { gauge: size, callback: (result) => result.observe(queue.size, attributes) },
      { gauge: capacity, callback: (result) => result.observe(queue.capacity, attributes) },
    );
    for (const { gauge, callback } of this.queueGauges) gauge.addCallback(callback);
  }

  sent(items: number): void {
    this.sentItems.add(items, this.attributes);
  }

  failed(items: number): void {
    this.failedItems.add(items, this.attributes);
  }

  dropped(items: number): void {
    this.droppedItems.add(items, this.attributes);
  }

  /** Stops the queue gauges, so the meter no longer holds a shut-down exporter. */
  close(): void {
    for (const { gauge, callback } of this.queueGauges.splice(0)) gauge.removeCallback(callback);
  }
}
