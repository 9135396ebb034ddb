import type { Attributes, Counter, ObservableCallback, ObservableGauge } from '@opentelemetry/api';
import type { CreateContext } from '../plugin.js';
import type { Signal } from '../signals.js';
import { componentAttributes } from '../telemetry/attributes.js';
import type { BatchQueue } from './storage.js';

/** The counters of items an exporter took in and could not send: what the engine sums up at shutdown. */
export const NOT_SENT_COUNTERS = {
  failed: 'tributary_exporter_send_failed_items',
  refused: 'tributary_exporter_refused_items',
  dropped: 'tributary_exporter_dropped_items',
} as const;

interface Gauge {
  gauge: ObservableGauge;
  callback: ObservableCallback;
}

/** What an exporter built by createExporter() holds, for the gauges. */
export interface HeldBy {
  /** The sending queue, when enabled: its size and capacity in batches. */
  queue?: BatchQueue<unknown>;
  /** The queue is a persistent one: it also counts what it recovers from storage at start. */
  persistent?: boolean;
  /** Items taken in and not yet sent, given up or dropped. */
  queuedItems(): number;
}

/**
 * An exporter's self-telemetry: instruments made once, attributes built once. Every item handed to
 * the exporter ends up counted once: sent, send_failed, refused or dropped, or is still queued.
 */
export class ExporterTelemetry {
  readonly attributes: Attributes;
  private readonly sentItems: Counter;
  private readonly failedItems: Counter;
  private readonly refusedItems: Counter;
  private readonly droppedItems: Counter;
  /** Only for a persistent queue. */
  private readonly recoveredItems?: Counter;
  private readonly redeliveredItems?: Counter;
  private readonly gauges: Gauge[] = [];

  /** With `held`, also reports the queued items and the queue's size and capacity until close(). */
  constructor(ctx: Pick<CreateContext, 'id' | 'meter' | 'pipeline'>, signal: Signal, held?: HeldBy) {
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
    this.refusedItems = meter.createCounter(NOT_SENT_COUNTERS.refused, {
      description: 'Items the exporter refused to take: its sending queue was full, or it was shut down.',
      unit: '{item}',
    });
    this.droppedItems = meter.createCounter(NOT_SENT_COUNTERS.dropped, {
      description: 'Items the exporter took and dropped unsent: the shutdown deadline passed.',
      unit: '{item}',
    });
    if (!held) return;
    if (held.persistent) {
      this.recoveredItems = meter.createCounter('tributary_exporter_queue_recovered_items', {
        description:
          'Items a persistent sending queue found in storage at start, left by the last run: sent first.',
        unit: '{item}',
      });
      this.redeliveredItems = meter.createCounter('tributary_exporter_queue_redelivered_items', {
        description:
          'Of the recovered items, those whose batch was being sent when the last run stopped: they may arrive twice.',
        unit: '{item}',
      });
    }
    const queued = meter.createObservableGauge('tributary_exporter_queued_items', {
      description:
        'Items the exporter took and has not yet sent, given up or dropped: queued, being sent or retried.',
      unit: '{item}',
    });
    this.observe(queued, (result) => result.observe(held.queuedItems(), attributes));
    const queue = held.queue;
    if (!queue) return;
    const size = meter.createObservableGauge('tributary_exporter_queue_size', {
      description: 'Batches waiting in the sending queue.',
      unit: '{batch}',
    });
    const capacity = meter.createObservableGauge('tributary_exporter_queue_capacity', {
      description: 'The most batches the sending queue holds.',
      unit: '{batch}',
    });
    this.observe(size, (result) => result.observe(queue.size, attributes));
    this.observe(capacity, (result) => result.observe(queue.capacity, attributes));
  }

  private observe(gauge: ObservableGauge, callback: ObservableCallback): void {
    gauge.addCallback(callback);
    this.gauges.push({ gauge, callback });
  }

  sent(items: number): void {
    this.sentItems.add(items, this.attributes);
  }

  failed(items: number): void {
    this.failedItems.add(items, this.attributes);
  }

  refused(items: number): void {
    this.refusedItems.add(items, this.attributes);
  }

  dropped(items: number): void {
    this.droppedItems.add(items, this.attributes);
  }

  recovered(items: number, redelivered: number): void {
    this.recoveredItems?.add(items, this.attributes);
    if (redelivered > 0) this.redeliveredItems?.add(redelivered, this.attributes);
  }

  /** Stops the gauges, so the meter no longer holds a shut-down exporter. */
  close(): void {
    for (const { gauge, callback } of this.gauges.splice(0)) gauge.removeCallback(callback);
  }
}
