import type { Attributes, Meter, ObservableResult } from '@opentelemetry/api';
import { type DataPoint, MeterProvider, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { Consumer } from '../component.js';
import { NOT_SENT_COUNTERS } from '../exporterhelper/telemetry.js';
import { OnDemandMetricReader } from '../sdk/readers.js';
import { type Batch, countItems, type Signal } from '../signals.js';
import { ENGINE_VERSION } from '../version.js';
import { processResource } from './resource.js';

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
type NotSentWhy = keyof typeof NOT_SENT_COUNTERS;
/** What one exporter could not send of one signal: in all, and by why (its counters). */
export type NotSent = { component: string; signal: string; items: number } & Record<NotSentWhy, number>;

export class SelfTelemetry {
  readonly meter: Meter;
  private readonly provider: MeterProvider;
  /** Collects when asked: the `selftelemetry` receiver asks on its interval. */
  private readonly reader = new OnDemandMetricReader();
  /** Plain numbers on the hot path; the SDK reads them only when metrics are collected. */
  private readonly receivers: ReceiverCounts[] = [];

  constructor() {
    this.provider = new MeterProvider({
      resource: processResource({ 'service.name': 'tributary', 'service.version': ENGINE_VERSION }),
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

  /** Items exporters took in and could not send in this run, by exporter and signal and why, from their counters. */
  async notSent(): Promise<NotSent[]> {
    const reasons = new Map<string, NotSentWhy>(
      Object.entries(NOT_SENT_COUNTERS).map(([why, name]) => [name, why as NotSentWhy]),
    );
    const totals = new Map<string, NotSent>();
    for (const scope of (await this.collect()).scopeMetrics) {
      for (const metric of scope.metrics) {
        const why = reasons.get(metric.descriptor.name);
        if (!why) continue;
        for (const point of metric.dataPoints as DataPoint<number>[]) {
          const component = String(point.attributes.component);
          const signal = String(point.attributes.signal);
          const key = `${component}\u0000${signal}`;
          const total = totals.get(key) ?? { component, signal, items: 0, failed: 0, refused: 0, dropped: 0 };
          total.items += point.value;
          total[why] += point.value;
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
