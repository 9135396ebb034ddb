import { type MetricProducer, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { Logger } from 'pino';
import type { Consumer } from '../component.js';
import { Periodic } from './periodic.js';

/** A metric reader that collects only when asked. */
export class OnDemandMetricReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}

  /** The metrics as of now, or undefined when nothing was recorded. */
  async read(): Promise<ResourceMetrics | undefined> {
    const { resourceMetrics } = await this.collect();
    return resourceMetrics.scopeMetrics.length ? resourceMetrics : undefined;
  }
}

/**
 * Collects every `intervalMs` and once more at shutdown, handing the metrics to a pipeline. One
 * export at a time: while the pipeline makes one wait, ticks are skipped (the SDK keeps aggregating).
 */
export class PipelineMetricReader extends OnDemandMetricReader {
  private readonly periodic = new Periodic(() => this.export());

  constructor(
    private readonly next: Consumer<'metrics'>,
    private readonly intervalMs: number,
    private readonly logger: Logger,
    /** Metrics made outside the SDK's instruments, collected with them. */
    metricProducers: MetricProducer[] = [],
  ) {
    super({ metricProducers });
  }

  protected override onInitialized(): void {
    this.periodic.start(this.intervalMs);
  }

  protected override onShutdown(): Promise<void> {
    return this.periodic.stop();
  }

  protected override onForceFlush(): Promise<void> {
    return this.periodic.run();
  }

  private async export(): Promise<void> {
    try {
      const metrics = await this.read();
      if (metrics) await this.next.consume([metrics]);
    } catch (err) {
      this.logger.warn(
        { error: (err as Error).message },
        'the pipeline refused metrics; they are counted as refused',
      );
    }
  }
}
