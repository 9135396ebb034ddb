import { MeterProvider } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { AdminPages } from '../../../core/admin-pages.js';
import type { Connector, Consumer } from '../../../core/component.js';
import type { CreateContext } from '../../../core/plugin.js';
import { MetricSources } from '../../../core/sdk/metric-sources.js';
import { PipelineMetricReader } from '../../../core/sdk/readers.js';
import { processResource } from '../../../core/telemetry/resource.js';
import type { PercentilesConfig } from './config.js';
import { LatencyProducer } from './producer.js';
import type { LatencyStats } from './stats.js';

/**
 * The exporter end of a traces pipeline and the receiver end of a metrics pipeline: measures every
 * span's duration into its key's window and emits the windows' statistics as gauges on an interval,
 * when a pull exporter is scraped, and once more at shutdown.
 */
export class PercentilesConnector implements Connector<'traces'> {
  readonly mutatesData = false;
  private provider?: MeterProvider;
  private readonly removals: (() => void)[] = [];

  constructor(
    private readonly ctx: CreateContext<PercentilesConfig>,
    private readonly stats: LatencyStats,
    private readonly next: Consumer<'metrics'>,
  ) {}

  async start(): Promise<void> {
    const { config, logger, container, id } = this.ctx;
    const producer = new LatencyProducer(this.stats, config.prefix, config.quantiles);
    const reader = new PipelineMetricReader(this.next, config.emit_interval, logger, [producer]);
    this.provider = new MeterProvider({ resource: processResource({}), readers: [reader] });
    this.removals.push(
      container.resolve(MetricSources).add(() => reader.forceFlush()),
      container.resolve(AdminPages).add({
        path: id.toLowerCase().replace(/[^a-z0-9_/-]/g, '-'),
        title: `Latency percentiles (${id})`,
        render: async () => ({ json: this.stats.summary() }),
      }),
    );
  }

  async consume(spans: ReadableSpan[]): Promise<void> {
    for (const span of spans) this.stats.record(span);
  }

  async shutdown(): Promise<void> {
    for (const remove of this.removals.splice(0)) remove();
    await this.provider?.shutdown();
    this.provider = undefined;
  }
}
