import { ValueType } from '@opentelemetry/api';
import { millisToHrTime } from '@opentelemetry/core';
import { type Resource, resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationTemporality, DataPointType, type MetricData } from '@opentelemetry/sdk-metrics';
import type { Logger } from 'pino';
import type { Consumer } from '../../../core/component.js';
import type { ScrapeConfig } from './config.js';
import { StartTimes, type TargetLabels, toMetrics } from './convert.js';
import { parseExposition } from './parse.js';
import { scrapeTarget } from './scrape.js';

/** How a scrape ended, as the receiver's own telemetry counts it. */
export type ScrapeOutcome = 'ok' | 'failed' | 'refused' | 'skipped';

/** The scope of what the receiver passes on: none, so an exporter adds no `otel_scope_*` labels the target did not have. */
const SCOPE = { name: '' };

/**
 * One target of one job: scraped every interval, never two scrapes at once (a tick that finds the
 * last scrape still running is skipped and counted). Each scrape passes on the target's series and
 * `up`, `scrape_duration_seconds`, `scrape_samples_scraped`, `scrape_samples_post_metric_relabeling`
 * and `scrape_series_added`; a failed one passes on only those, with `up` 0, so its series go stale.
 */
export class ScrapeTarget {
  readonly resource: Resource;
  private readonly starts = new StartTimes();
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private failing = false;
  /** Aborted by stop(): a scrape in flight ends now and passes nothing on. */
  private readonly stopping = new AbortController();

  constructor(
    private readonly job: ScrapeConfig,
    readonly address: string,
    private readonly labels: TargetLabels,
    private readonly timing: { interval: number; timeout: number },
    private readonly next: Consumer<'metrics'>,
    private readonly logger: Logger,
    private readonly counted: (outcome: ScrapeOutcome) => void,
  ) {
    // As the Collector's receiver: job and instance identify the resource, and come back as labels.
    this.resource = resourceFromAttributes({
      'service.name': labels.job,
      'service.instance.id': labels.instance,
    });
  }

  start(): void {
    this.tick();
    this.timer = setInterval(() => this.tick(), this.timing.interval);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.stopping.abort();
    await this.running;
  }

  /** Starts a scrape unless one is in flight. */
  private tick(): void {
    if (this.running) {
      this.counted('skipped');
      return;
    }
    this.running = this.scrape().finally(() => {
      this.running = undefined;
    });
  }

  /** One scrape, handed on; resolves once the pipeline took or refused it. */
  async scrape(): Promise<void> {
    const startedMs = Date.now();
    let metrics: MetricData[] = [];
    let samples = 0;
    let added = 0;
    let up = 1;
    try {
      const { body, format } = await scrapeTarget(
        this.job,
        this.address,
        this.timing.timeout,
        this.stopping.signal,
      );
      const families = parseExposition(body, format, this.job.sample_limit);
      for (const f of families) samples += f.samples.length;
      metrics = toMetrics(families, this.labels, this.starts, startedMs);
      added = this.starts.endScrape();
      if (this.failing)
        this.logger.info({ job: this.labels.job, target: this.address }, 'scrape target is up again');
      this.failing = false;
    } catch (err) {
      if (this.stopping.signal.aborted) return;
      up = 0;
      samples = 0;
      this.starts.forget();
      if (!this.failing)
        this.logger.warn(
          {
            code: 'TRB_RECEIVER_PROMETHEUS_SCRAPE_FAILED',
            job: this.labels.job,
            target: this.address,
            reason: (err as Error).message,
          },
          `scrape of ${this.address} (job ${this.labels.job}) failed: ${(err as Error).message}; up is 0 until it succeeds`,
        );
      this.failing = true;
    }
    const durationS = (Date.now() - startedMs) / 1000;
    metrics.push(...this.report(startedMs, up, durationS, samples, added));
    try {
      await this.next.consume([{ resource: this.resource, scopeMetrics: [{ scope: SCOPE, metrics }] }]);
      this.counted(up ? 'ok' : 'failed');
    } catch {
      // The pipeline is full or down: this scrape is dropped (the engine counts the refused points).
      this.counted('refused');
    }
  }

  /** The series Prometheus adds per scrape, with the target's labels. */
  private report(atMs: number, up: number, durationS: number, samples: number, added: number): MetricData[] {
    const time = millisToHrTime(atMs);
    const attributes = Object.fromEntries(
      this.labels.labels.filter(([n]) => n !== 'job' && n !== 'instance'),
    );
    const gauge = (name: string, description: string, value: number): MetricData => ({
      descriptor: { name, description, unit: '', valueType: ValueType.DOUBLE },
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
      dataPointType: DataPointType.GAUGE,
      dataPoints: [{ startTime: time, endTime: time, attributes, value }],
    });
    return [
      gauge('up', '1 if the last scrape of the target succeeded, else 0.', up),
      gauge('scrape_duration_seconds', 'How long the last scrape of the target took.', durationS),
      gauge('scrape_samples_scraped', 'Samples the target exposed in the last scrape.', samples),
      gauge(
        'scrape_samples_post_metric_relabeling',
        'Samples kept after metric relabeling (all of them).',
        samples,
      ),
      gauge('scrape_series_added', 'Series in the last scrape that were not in the one before.', added),
    ];
  }
}
