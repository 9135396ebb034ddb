import { type MetricProducer, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { Logger } from 'pino';
import type { Consumer } from '../component.js';

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

/** Collects every `intervalMs` and once more at shutdown, handing the metrics to a pipeline. */
export class PipelineMetricReader extends OnDemandMetricReader {
  private timer?: NodeJS.Timeout;

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
    this.timer = setInterval(() => void this.export(), this.intervalMs);
    this.timer.unref();
  }

  protected override async onShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.export();
  }

  protected override onForceFlush(): Promise<void> {
    return this.export();
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
