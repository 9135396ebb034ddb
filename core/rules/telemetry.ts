import type {
  Attributes,
  BatchObservableResult,
  Counter,
  Histogram,
  Meter,
  Observable,
} from '@opentelemetry/api';
import type { RuleHealth } from './types.js';
import type { WindowStats } from './window.js';

/** What the observable instruments read when the engine's telemetry is collected. */
export interface RulesState {
  window: WindowStats;
  /** Points with no Prometheus form (exponential histograms, names with nothing valid). */
  rejectedPoints: number;
  forgottenResolvedAlerts: number;
}

/** The alert rules' self-telemetry: evaluations, failures, durations, and what the window holds and refused. */
export class RulesTelemetry {
  private readonly evaluations: Counter;
  private readonly failures: Counter;
  private readonly duration: Histogram;
  private readonly observables: Observable[];
  private readonly observe: (result: BatchObservableResult) => void;

  constructor(
    private readonly meter: Meter,
    private readonly attributes: Attributes,
    read: () => RulesState,
  ) {
    this.evaluations = meter.createCounter('tributary_alertrules_rule_evaluations', {
      description: 'Rule evaluations, by rule group',
      unit: '{evaluation}',
    });
    this.failures = meter.createCounter('tributary_alertrules_rule_evaluation_failures', {
      description: 'Rule evaluations that failed (a query error, an exceeded limit, duplicate series)',
      unit: '{evaluation}',
    });
    this.duration = meter.createHistogram('tributary_alertrules_group_evaluation_duration', {
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
    const forgotten = meter.createObservableCounter('tributary_alertrules_forgotten_resolved_alerts', {
      description: 'Resolved alerts forgotten before their 15 minutes of resolved notices: a rule held 10000',
      unit: '{alert}',
    });
    this.observables = [series, samples, refused, forgotten];
    this.observe = (o) => {
      const state = read();
      const by = (reason: string) => ({ ...attributes, reason });
      o.observe(series, state.window.series, attributes);
      o.observe(samples, state.window.samples, attributes);
      o.observe(refused, state.window.refusedSamples, by('max_series'));
      o.observe(refused, state.window.outOfOrderSamples, by('out_of_order'));
      o.observe(refused, state.window.droppedSamples, by('max_samples_per_series'));
      o.observe(refused, state.rejectedPoints, by('no_prometheus_form'));
      o.observe(forgotten, state.forgottenResolvedAlerts, attributes);
    };
    meter.addBatchObservableCallback(this.observe, this.observables);
  }

  /** One evaluation of `group`: how long it took and each rule's health. */
  evaluated(group: string, seconds: number, rules: readonly RuleHealth[]): void {
    const attributes = { ...this.attributes, group };
    this.duration.record(seconds, attributes);
    this.evaluations.add(rules.length, attributes);
    const failed = rules.filter((r) => r.health === 'err').length;
    if (failed > 0) this.failures.add(failed, attributes);
  }

  close(): void {
    this.meter.removeBatchObservableCallback(this.observe, this.observables);
  }
}
