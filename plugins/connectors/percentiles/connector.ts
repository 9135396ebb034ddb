import type { BatchObservableResult, Observable } from '@opentelemetry/api';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { AdminPages } from '../../../core/admin-pages.js';
import type { Connector, Consumer } from '../../../core/component.js';
import type { CreateContext } from '../../../core/plugin.js';
import { MetricSources } from '../../../core/sdk/metric-sources.js';
import { PipelineMetricReader } from '../../../core/sdk/readers.js';
import { processResource } from '../../../core/telemetry/resource.js';
import type { PercentilesConfig } from './config.js';
import type { LatencyStats } from './stats.js';
import { quantileName } from './window.js';

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
    const reader = new PipelineMetricReader(this.next, config.emit_interval, logger);
    this.provider = new MeterProvider({ resource: processResource({}), readers: [reader] });
    this.observeGauges(this.provider);
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

  private observeGauges(provider: MeterProvider): void {
    const { prefix, quantiles } = this.ctx.config;
    const meter = provider.getMeter('tributary-percentiles');
    const gauge = (name: string, unit = 's') =>
      meter.createObservableGauge(`${prefix}.${name}`, {
        unit,
        description: `${name} of span durations in the window`,
      });
    const statGauges: [string, Observable][] = [
      ...quantiles.map((q) => [quantileName(q), gauge(quantileName(q))] as [string, Observable]),
      ['min', gauge('min')],
      ['max', gauge('max')],
      ['average', gauge('avg')],
      ['count', gauge('count', '{span}')],
    ];
    meter.addBatchObservableCallback(
      (result: BatchObservableResult) => {
        for (const { attributes, stats } of this.stats.summary().keys)
          for (const [field, observable] of statGauges)
            result.observe(
              observable,
              (stats as unknown as Record<string, number>)[field] as number,
              attributes,
            );
      },
      statGauges.map(([, g]) => g),
    );
  }
}
