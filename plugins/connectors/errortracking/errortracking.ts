import type { Counter, ObservableResult } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { AdminPages } from '../../../core/admin-pages.js';
import type { Consumer } from '../../../core/component.js';
import type { CreateContext } from '../../../core/plugin.js';
import { logRecord } from '../../../core/sdk/log-record.js';
import { MetricSources } from '../../../core/sdk/metric-sources.js';
import { PipelineMetricReader } from '../../../core/sdk/readers.js';
import type { Batch } from '../../../core/signals.js';
import { processResource } from '../../../core/telemetry/resource.js';
import type { ErrorTrackingConfig } from './config.js';
import { logError, spanError } from './occurrences.js';
import { type Alert, type ErrorSummary, ErrorTracker, type Occurrence } from './tracker.js';

const SCOPE = { name: 'tributary-errortracking' };
type Input = 'traces' | 'logs';
type Output = 'logs' | 'metrics';

/**
 * The `errortracking` connector's shared part: one per component id, so the same errors feed the
 * alert records (logs) and `errors_total` (metrics) whichever routes the config uses. Embedding
 * APIs reach it with `engine.sharedOf(id)` for `summary()`.
 */
export class ErrorTracking {
  readonly tracker: ErrorTracker;
  /** The route instance that records each input signal: the others see the same batches. */
  private readonly recorders = new Map<Input, object>();
  /** Where alerts and metrics go: every route to one signal leads to the same pipelines, so one each. */
  private logsNext?: Consumer<'logs'>;
  private metricsNext?: Consumer<'metrics'>;
  private readonly running = new Set<object>();
  private provider?: MeterProvider;
  private errors?: Counter;
  private readonly resource = processResource({});
  private removers: (() => void)[] = [];
  private overflowLogged = false;

  constructor(
    private readonly ctx: CreateContext<ErrorTrackingConfig>,
    private readonly now: () => number = Date.now,
  ) {
    this.tracker = new ErrorTracker(ctx.config, now);
  }

  /** Each route's instance hands over its input signal and its next consumer at creation. */
  connect(route: object, from: Input, to: Output, next: Consumer<Output>): void {
    if (!this.recorders.has(from)) this.recorders.set(from, route);
    if (to === 'logs') this.logsNext ??= next as Consumer<'logs'>;
    else this.metricsNext ??= next as Consumer<'metrics'>;
  }

  start(route: object): void {
    this.running.add(route);
    if (this.running.size > 1) return;
    const meterProvider = new MeterProvider({
      resource: this.resource,
      readers: this.metricsNext
        ? [new PipelineMetricReader(this.metricsNext, this.ctx.config.collection_interval, this.ctx.logger)]
        : [],
    });
    this.provider = meterProvider;
    // Named without `_total`: the prometheus exporter adds it to monotonic sums (errors_total).
    this.errors = meterProvider.getMeter(SCOPE.name).createCounter('errors', {
      description: 'Errors seen in spans and log records, by error type',
    });
    const overflow = this.ctx.meter.createObservableCounter('tributary_errortracking_overflow_errors', {
      description: 'Errors counted under _OTHER because max_types error types were already tracked',
    });
    const observe = (r: ObservableResult) => r.observe(this.tracker.overflowed, { component: this.ctx.id });
    overflow.addCallback(observe);
    this.removers = [
      () => overflow.removeCallback(observe),
      this.ctx.container.resolve(MetricSources).add(() => meterProvider.forceFlush()),
      this.ctx.container.resolve(AdminPages).add({
        path: `errors/${this.ctx.id.toLowerCase().replace(/[^a-z0-9_/-]/g, '-')}`,
        title: `Error summary (${this.ctx.id})`,
        render: async () => ({ json: this.summary() }),
      }),
    ];
  }

  /** The last route to stop sends the final counts. */
  async shutdown(route: object): Promise<void> {
    if (!this.running.delete(route) || this.running.size > 0) return;
    for (const remove of this.removers) remove();
    await this.provider?.shutdown();
  }

  summary(): ErrorSummary {
    return this.tracker.summary();
  }

  async consume(route: object, from: Input, batch: Batch<Input>): Promise<void> {
    if (this.recorders.get(from) !== route) return;
    const groupBy = this.ctx.config.group_by;
    const fired: Alert[] = [];
    for (const item of batch) {
      const occurrence =
        from === 'traces'
          ? spanError(item as Batch<'traces'>[number], groupBy)
          : logError(item as Batch<'logs'>[number], groupBy);
      if (occurrence) this.record(occurrence, fired);
    }
    if (fired.length > 0 && this.logsNext)
      await this.sendAlerts(
        this.logsNext,
        fired.map((a) => this.alertRecord(a)),
      );
  }

  private record(occurrence: Occurrence, fired: Alert[]): void {
    const alert = this.tracker.record(occurrence);
    if (alert) fired.push(alert);
    const labels: Record<string, string | number | boolean> = { error_type: occurrence.type };
    for (const key of this.ctx.config.group_by) {
      const value = occurrence.context[key];
      if (value !== undefined) labels[key] = String(value);
    }
    this.errors?.add(1, labels);
    if (this.tracker.overflowed > 0 && !this.overflowLogged) {
      this.overflowLogged = true;
      this.ctx.logger.warn(
        { max_types: this.ctx.config.max_types },
        'more error types than max_types: further types are counted as _OTHER',
      );
    }
  }

  private alertRecord(alert: Alert): ReadableLogRecord {
    return logRecord(
      {
        time: this.now(),
        severityNumber: SeverityNumber.FATAL,
        severityText: 'CRITICAL',
        body: `High error rate detected: ${alert.type}`,
        // The guide's `extra` keys.
        attributes: {
          error_type: alert.type,
          error_count: alert.count,
          recent_message: alert.latest.message,
        },
      },
      this.resource,
      SCOPE,
    );
  }

  /** A refused alert is logged, not passed back: the errors it reports were recorded. */
  private async sendAlerts(next: Consumer<'logs'>, records: ReadableLogRecord[]): Promise<void> {
    try {
      await next.consume(records);
    } catch (err) {
      this.ctx.logger.warn(
        { error: (err as Error).message, alerts: records.length },
        'alert log records were refused',
      );
    }
  }
}
