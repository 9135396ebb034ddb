import type { Attributes, Meter } from '@opentelemetry/api';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { Logger } from 'pino';
import { exporterSamples } from '../prometheus/samples.js';
import { Periodic } from '../sdk/periodic.js';
import type { AlertRulesConfig } from './config.js';
import { type GroupEvaluation, GroupEvaluator } from './group.js';
import { retentionMs } from './retention.js';
import type { RuleGroup } from './types.js';
import { SeriesWindow } from './window.js';

/** What the runner reads of an alertrules config (the processor's has no resend_delay). */
export type RunnerConfig = Omit<AlertRulesConfig, 'resend_delay'> & { resend_delay?: number };

/** Gets every evaluation of every group: send its outputs or notifications on. */
export type EvaluationListener = (evaluation: GroupEvaluation, group: RuleGroup) => Promise<void>;

export interface RunnerContext {
  readonly logger: Logger;
  readonly meter: Meter;
  /** The component's attributes on its self-telemetry. */
  readonly attributes: Attributes;
}

/**
 * Rule groups evaluated on their intervals over a window fed by the metrics passing through: what
 * the alertrules processor and connector share. Each group runs on its own timer; a run that finds
 * the last one of its group still sending is skipped.
 */
export class AlertRulesRunner {
  readonly window: SeriesWindow;
  private readonly evaluators: GroupEvaluator[];
  private readonly timers: Periodic[] = [];
  /** Rules whose last evaluation failed: logged when they fail and when they recover, not every time. */
  private readonly failing = new Set<string>();
  private rejectedPoints = 0;
  private readonly telemetry;

  constructor(
    groups: readonly RuleGroup[],
    config: RunnerConfig,
    private readonly ctx: RunnerContext,
    private readonly listener: EvaluationListener,
  ) {
    this.window = new SeriesWindow({
      retentionMs: retentionMs(groups, config.evaluation_interval),
      maxSeries: config.max_series,
      maxSamplesPerSeries: config.max_samples_per_series,
    });
    this.evaluators = groups.map(
      (group) =>
        new GroupEvaluator(group, {
          storage: this.window,
          intervalMs: config.evaluation_interval,
          externalLabels: config.external_labels,
          externalUrl: config.external_url,
          resendDelayMs: config.resend_delay,
        }),
    );
    this.telemetry = this.instruments();
  }

  /** Adds a batch of metrics to the window, under the names the prometheus exporter gives them. */
  ingest(batch: readonly ResourceMetrics[]): void {
    this.rejectedPoints += exporterSamples(batch, (labels, t, v, delta) =>
      this.window.append(labels, t, v, delta),
    );
  }

  start(): void {
    for (const evaluator of this.evaluators) {
      const periodic = new Periodic(async () => {
        await this.evaluate(evaluator, Date.now());
      });
      periodic.start(evaluator.intervalMs);
      this.timers.push(periodic);
    }
  }

  /** Evaluates one group at `now` and hands the result to the listener. */
  async evaluate(evaluator: GroupEvaluator, now: number): Promise<GroupEvaluation> {
    const started = performance.now();
    this.window.sweep(now);
    const evaluation = evaluator.evaluate(now);
    const { group } = evaluator;
    const attributes = { ...this.ctx.attributes, group: group.name };
    this.telemetry.duration.record((performance.now() - started) / 1000, attributes);
    for (const result of evaluation.rules) {
      const key = `${group.file}\u0000${group.name}\u0000${result.rule.name}`;
      this.telemetry.evaluations.add(1, attributes);
      if (result.health === 'err') {
        this.telemetry.failures.add(1, attributes);
        if (!this.failing.has(key))
          this.ctx.logger.warn(
            { group: group.name, rule: result.rule.name, file: group.file, error: result.error },
            'Evaluating rule failed',
          );
        this.failing.add(key);
      } else if (this.failing.delete(key))
        this.ctx.logger.info({ group: group.name, rule: result.rule.name }, 'Evaluating rule succeeds again');
    }
    try {
      await this.listener(evaluation, group);
    } catch (err) {
      // The next consumer counts what it refused; the next evaluation sends afresh.
      this.ctx.logger.warn(
        { group: group.name, error: (err as Error).message },
        'the pipeline refused the rule results',
      );
    }
    return evaluation;
  }

  /** Every group's evaluator, in rule file order. */
  get groups(): readonly GroupEvaluator[] {
    return this.evaluators;
  }

  async stop(): Promise<void> {
    await Promise.all(this.timers.splice(0).map((t) => t.cancel()));
    this.telemetry.close();
  }

  private instruments() {
    const { meter, attributes } = this.ctx;
    const evaluations = meter.createCounter('tributary_alertrules_rule_evaluations', {
      description: 'Rule evaluations, by rule group',
      unit: '{evaluation}',
    });
    const failures = meter.createCounter('tributary_alertrules_rule_evaluation_failures', {
      description: 'Rule evaluations that failed (a query error, an exceeded limit, duplicate series)',
      unit: '{evaluation}',
    });
    const duration = meter.createHistogram('tributary_alertrules_group_evaluation_duration', {
      description: 'How long one evaluation of a rule group took',
      unit: 's',
    });
    const series = meter.createObservableGauge('tributary_alertrules_window_series', {
      description: 'Series the alert rules window holds',
      unit: '{series}',
    });
    const samples = meter.createObservableGauge('tributary_alertrules_window_samples', {
      description: 'Samples the alert rules window holds',
      unit: '{sample}',
    });
    const refused = meter.createObservableCounter('tributary_alertrules_window_refused_samples', {
      description:
        'Samples refused: of new series beyond max_series, out of order, evicted beyond max_samples_per_series, or with no Prometheus form',
      unit: '{sample}',
    });
    const observe = (
      result: { observe(v: number, a: Attributes): void },
      pick: (s: ReturnType<SeriesWindow['stats']>) => number,
    ) => result.observe(pick(this.window.stats()), attributes);
    const onSeries = (r: Parameters<Parameters<typeof series.addCallback>[0]>[0]) =>
      observe(r, (s) => s.series);
    const onSamples = (r: Parameters<Parameters<typeof samples.addCallback>[0]>[0]) =>
      observe(r, (s) => s.samples);
    const onRefused = (r: Parameters<Parameters<typeof refused.addCallback>[0]>[0]) => {
      const s = this.window.stats();
      r.observe(s.refusedSamples, { ...attributes, reason: 'max_series' });
      r.observe(s.outOfOrderSamples, { ...attributes, reason: 'out_of_order' });
      r.observe(s.droppedSamples, { ...attributes, reason: 'max_samples_per_series' });
      r.observe(this.rejectedPoints, { ...attributes, reason: 'no_prometheus_form' });
    };
    series.addCallback(onSeries);
    samples.addCallback(onSamples);
    refused.addCallback(onRefused);
    const close = () => {
      series.removeCallback(onSeries);
      samples.removeCallback(onSamples);
      refused.removeCallback(onRefused);
    };
    return { evaluations, failures, duration, close };
  }
}
