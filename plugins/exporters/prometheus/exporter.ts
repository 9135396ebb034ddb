import type { Attributes, Counter, ObservableGauge, ObservableResult } from '@opentelemetry/api';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { type Exporter, type Host, PermanentError } from '../../../core/component.js';
import { ExporterTelemetry } from '../../../core/exporterhelper/telemetry.js';
import type { CreateContext } from '../../../core/plugin.js';
import { MetricSources } from '../../../core/sdk/metric-sources.js';
import { countItems } from '../../../core/signals.js';
import { announce } from '../../../core/status.js';
import { componentAttributes } from '../../../core/telemetry/attributes.js';
import type { PrometheusConfig } from './config.js';
import { type Format, render } from './serialize.js';
import { ScrapeServer } from './server.js';
import { MetricStore, type Rejection } from './store.js';

const RESOLVED = Promise.resolve();

/**
 * A pull exporter: consume() folds metrics into cumulative series, and Prometheus reads them from an
 * HTTP endpoint. Nothing is sent, so there is no queue or retry (and no exporter helper) to wrap.
 */
export class PrometheusExporter implements Exporter<'metrics'> {
  readonly store: MetricStore;
  private readonly server: ScrapeServer;
  private readonly telemetry: PrometheusTelemetry;
  private readonly warned = new Set<string>();
  private stopped = false;

  constructor(private readonly ctx: CreateContext<PrometheusConfig>) {
    const config = ctx.config;
    this.store = new MetricStore({
      namespace: config.namespace,
      constLabels: config.const_labels,
      resourceToTelemetry: config.resource_to_telemetry_conversion,
      expirationMs: config.metric_expiration,
      addSuffixes: config.add_metric_suffixes,
      targetInfo: config.target_info,
    });
    this.telemetry = new PrometheusTelemetry(ctx, this.store);
    const sources = ctx.container.resolve(MetricSources);
    this.server = new ScrapeServer(
      {
        host: config.endpoint.host,
        port: config.endpoint.port,
        path: config.path,
        openMetrics: config.enable_open_metrics,
        id: ctx.id,
        onError: (err) => ctx.logger.warn({ err: err.message }, 'the metrics endpoint failed to answer'),
        security: config,
      },
      {
        // The SDK-based receivers hand over what they hold first: a scrape never serves an old interval.
        refresh: () => sources.collect(),
        scrape: (format) => this.scrape(format),
        served: (format) => this.telemetry.scraped(format),
      },
    );
  }

  /** Where the endpoint listens (the real port when the config said 0); undefined until started. */
  get address(): { host: string; port: number } | undefined {
    const address = this.server.address;
    return address && { host: address.address, port: address.port };
  }

  async start(_host: Host): Promise<void> {
    await this.server.listen();
    const url = this.server.url(this.ctx.config.path) as string;
    // The engine's ready line names it, with every other place to look.
    this.ctx.logger.debug({ url }, 'serving metrics for Prometheus to scrape');
    announce(this.ctx.container, this.ctx.id, 'metrics', url);
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
    this.telemetry.close();
    await this.server.close();
  }

  consume(batch: ResourceMetrics[]): Promise<void> {
    if (this.stopped) {
      this.telemetry.dropped(countItems('metrics', batch));
      return Promise.reject(new PermanentError(`exporter ${this.ctx.id} is shut down`));
    }
    const result = this.store.fold(batch, Date.now());
    this.telemetry.sent(result.accepted);
    if (result.rejected > 0) {
      this.telemetry.failed(result.rejected);
      const first = result.firstRejection;
      if (first) this.warnOnce(first.metric, first.reason, first.detail);
    }
    return RESOLVED;
  }

  /** The exposition as of now, after dropping series that expired. */
  scrape(format: Format): Buffer {
    this.telemetry.expired(this.store.expire(Date.now()));
    return render(this.store, format);
  }

  private warnOnce(metric: string, reason: Rejection, detail: string): void {
    const key = `${reason}:${metric}`;
    if (this.warned.has(key)) return;
    this.warned.add(key);
    const why: Record<Rejection, string> = {
      exponential_histogram:
        'exponential histograms have no text-format form; use explicit-bucket histograms (the SDK default) or the otlp exporter',
      type_conflict: `its Prometheus name is already taken by ${detail}; rename one of the instruments`,
      invalid_name: 'nothing of its name is valid in Prometheus',
    };
    this.ctx.logger.warn({ metric, reason }, `metric not exposed: ${why[reason]}`);
  }
}

/** The exporter's own metrics: items taken in or not, scrapes served, series held and expired. */
class PrometheusTelemetry {
  private readonly attributes: Attributes;
  private readonly byFormat: Record<Format, Attributes>;
  private readonly items: ExporterTelemetry;
  private readonly scrapes: Counter;
  private readonly expiredSeries: Counter;
  private readonly series: ObservableGauge;
  private readonly observeSeries: (result: ObservableResult) => void;

  constructor(ctx: Pick<CreateContext, 'id' | 'meter' | 'pipeline'>, store: MetricStore) {
    const { meter } = ctx;
    this.attributes = componentAttributes(ctx, 'metrics');
    this.byFormat = {
      text: { ...this.attributes, format: 'text' },
      openmetrics: { ...this.attributes, format: 'openmetrics' },
    };
    // The exporter helper's counters: here "sent" means folded into the exposed series.
    this.items = new ExporterTelemetry(ctx, 'metrics');
    this.scrapes = meter.createCounter('tributary_exporter_prometheus_scrapes', {
      description: 'Scrapes the Prometheus exporter answered, by format (text or openmetrics).',
      unit: '{scrape}',
    });
    this.expiredSeries = meter.createCounter('tributary_exporter_prometheus_expired_series', {
      description: 'Series removed because they were not updated within metric_expiration.',
      unit: '{series}',
    });
    this.series = meter.createObservableGauge('tributary_exporter_prometheus_series', {
      description: 'Series the Prometheus exporter holds.',
      unit: '{series}',
    });
    this.observeSeries = (result) => result.observe(store.seriesCount, this.attributes);
    this.series.addCallback(this.observeSeries);
  }

  sent(items: number): void {
    if (items > 0) this.items.sent(items);
  }

  failed(items: number): void {
    this.items.failed(items);
  }

  dropped(items: number): void {
    this.items.dropped(items);
  }

  scraped(format: Format): void {
    this.scrapes.add(1, this.byFormat[format]);
  }

  expired(series: number): void {
    if (series > 0) this.expiredSeries.add(series, this.attributes);
  }

  close(): void {
    this.series.removeCallback(this.observeSeries);
  }
}
