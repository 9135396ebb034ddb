import type { Attributes, Counter, Meter } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { Consumer } from '../component.js';
import { type Batch, countItems, type Signal } from '../signals.js';
import { ENGINE_VERSION } from '../version.js';

/** A reader that collects only when asked: the `selftelemetry` receiver asks on its interval. */
class PullReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/**
 * The engine's own metrics, made with the OpenTelemetry SDK like any other data. Registered in the
 * engine's container so the `selftelemetry` receiver can resolve it and feed it into pipelines.
 */
export class SelfTelemetry {
  readonly meter: Meter;
  private readonly provider: MeterProvider;
  private readonly reader = new PullReader();
  private readonly accepted: Counter;
  private readonly refused: Counter;

  constructor() {
    this.provider = new MeterProvider({
      resource: resourceFromAttributes({ 'service.name': 'tributary', 'service.version': ENGINE_VERSION }),
      readers: [this.reader],
    });
    this.meter = this.provider.getMeter('tributary', ENGINE_VERSION);
    this.accepted = this.meter.createCounter('tributary_receiver_accepted_items', {
      unit: '{item}',
      description: 'Items a receiver handed to its pipelines and they accepted.',
    });
    this.refused = this.meter.createCounter('tributary_receiver_refused_items', {
      unit: '{item}',
      description: 'Items a receiver handed to its pipelines and they refused.',
    });
  }

  async collect(): Promise<ResourceMetrics> {
    const { resourceMetrics } = await this.reader.collect();
    return resourceMetrics;
  }

  /** Counts what a receiver's pipelines accept and refuse. */
  observeReceiver<S extends Signal>(component: string, signal: S, next: Consumer<S>): Consumer<S> {
    const attributes: Attributes = { component, signal };
    const { accepted, refused } = this;
    return {
      mutatesData: next.mutatesData,
      async consume(batch: Batch<S>) {
        try {
          await next.consume(batch);
        } catch (err) {
          refused.add(countItems(signal, batch), attributes);
          throw err;
        }
        accepted.add(countItems(signal, batch), attributes);
      },
    };
  }

  shutdown(): Promise<void> {
    return this.provider.shutdown();
  }
}
