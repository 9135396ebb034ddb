import type { Attributes, Meter, ObservableResult } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { type DataPoint, MeterProvider, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { Consumer } from '../component.js';
import { NOT_SENT_COUNTERS } from '../exporterhelper/telemetry.js';
import { OnDemandMetricReader } from '../sdk/readers.js';
import { type Batch, countItems, type Signal } from '../signals.js';
import { ENGINE_VERSION } from '../version.js';

interface ReceiverCounts {
  attributes: Attributes;
  accepted: number;
  refused: number;
}

/** The counts behind each consumer observeReceiver() made: see countRefused(). */
const countsOf = new WeakMap<Consumer, ReceiverCounts>();

/**
 * Counts items a receiver refused before handing them to `next`, the consumer it was created with
 * (a hand-off whose pipeline has not taken what it was given): they count as refused by its pipelines.
 */
export function countRefused(next: Consumer, items: number): void {
  const counts = countsOf.get(next);
  if (counts) counts.refused += items;
}

/**
 * The engine's own metrics, made with the OpenTelemetry SDK like any other data. Registered in the
 * engine's container so the `selftelemetry` receiver can resolve it and feed it into pipelines.
 */
export class SelfTelemetry {
  readonly meter: Meter;
  private readonly provider: MeterProvider;
  /** Collects when asked: the `selftelemetry` receiver asks on its interval. */
  private readonly reader = new OnDemandMetricReader();
  /** Plain numbers on the hot path; the SDK reads them only when metrics are collected. */
  private readonly receivers: ReceiverCounts[] = [];

  constructor() {
    this.provider = new MeterProvider({
      resource: resourceFromAttributes({ 'service.name': 'tributary', 'service.version': ENGINE_VERSION }),
      readers: [this.reader],
    });
    this.meter = this.provider.getMeter('tributary', ENGINE_VERSION);
    const counter = (name: string, description: string, read: (r: ReceiverCounts) => number) =>
      this.meter
        .createObservableCounter(name, { unit: '{item}', description })
        .addCallback((result: ObservableResult) => {
          for (const r of this.receivers) result.observe(read(r), r.attributes);
        });
    counter(
      'tributary_receiver_accepted_items',
      'Items a receiver handed to its pipelines and they accepted.',
      (r) => r.accepted,
    );
    counter(
      'tributary_receiver_refused_items',
      'Items a receiver handed to its pipelines and they refused.',
      (r) => r.refused,
    );
  }

  async collect(): Promise<ResourceMetrics> {
    const { resourceMetrics } = await this.reader.collect();
    return resourceMetrics;
  }

  /** Items exporters could not send in this run (failed or dropped), by exporter and signal, from their counters. */
  async notSent(): Promise<{ component: string; signal: string; items: number }[]> {
    const names: ReadonlySet<string> = new Set(Object.values(NOT_SENT_COUNTERS));
    const totals = new Map<string, { component: string; signal: string; items: number }>();
    for (const scope of (await this.collect()).scopeMetrics) {
      for (const metric of scope.metrics) {
        if (!names.has(metric.descriptor.name)) continue;
        for (const point of metric.dataPoints as DataPoint<number>[]) {
          const component = String(point.attributes.component);
          const signal = String(point.attributes.signal);
          const key = `${component}\u0000${signal}`;
          const total = totals.get(key) ?? { component, signal, items: 0 };
          total.items += point.value;
          totals.set(key, total);
        }
      }
    }
    return [...totals.values()].filter((t) => t.items > 0);
  }

  /** Counts what a receiver's pipelines accept and refuse. */
  observeReceiver<S extends Signal>(component: string, signal: S, next: Consumer<S>): Consumer<S> {
    const counts: ReceiverCounts = { attributes: { component, signal }, accepted: 0, refused: 0 };
    this.receivers.push(counts);
    const observed: Consumer<S> = {
      mutatesData: next.mutatesData,
      consume(batch: Batch<S>) {
        return next.consume(batch).then(
          () => {
            counts.accepted += countItems(signal, batch);
          },
          (err) => {
            counts.refused += countItems(signal, batch);
            throw err;
          },
        );
      },
    };
    countsOf.set(observed, counts);
    return observed;
  }

  shutdown(): Promise<void> {
    return this.provider.shutdown();
  }
}
