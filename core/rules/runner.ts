import type { Attributes, Meter } from '@opentelemetry/api';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { Logger } from 'pino';
import { exporterSamples } from '../prometheus/samples.js';
import { Periodic } from '../sdk/periodic.js';
import type { AlertRulesConfig } from './config.js';
import { type GroupEvaluation, GroupEvaluator } from './group.js';
import { retentionMs } from './retention.js';
import { RulesTelemetry } from './telemetry.js';
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

/** Evaluations started and not yet handed on, of every runner: at most one per group. */
const inFlight = new Set<Promise<unknown>>();

/**
 * Resolves when every evaluation in flight has ended and handed its results on. An evaluation gives
 * the event loop turns between rules, so tests that advance fake timers await this after each tick.
 */
export async function evaluationsSettled(): Promise<void> {
  while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
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
  /** Each group's last evaluation, for status(): one per group. */
  private readonly last = new Map<GroupEvaluator, GroupEvaluation>();
  private readonly telemetry: RulesTelemetry;

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
      minStaleAfterMs: config.evaluation_interval,
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
    this.telemetry = new RulesTelemetry(ctx.meter, ctx.attributes, () => ({
      window: this.window.stats(),
      rejectedPoints: this.rejectedPoints,
      forgottenResolvedAlerts: this.evaluators.reduce((n, e) => n + e.forgottenResolvedAlerts, 0),
    }));
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

  /**
   * Evaluates one group at `now`, giving the event loop a turn between rules, and hands the result
   * to the listener.
   */
  evaluate(evaluator: GroupEvaluator, now: number): Promise<GroupEvaluation> {
    const run = this.evaluateAndSend(evaluator, now);
    inFlight.add(run);
    void run.finally(() => inFlight.delete(run)).catch(() => undefined);
    return run;
  }

  private async evaluateAndSend(evaluator: GroupEvaluator, now: number): Promise<GroupEvaluation> {
    const started = performance.now();
    this.window.sweep(now);
    const evaluation = await evaluator.evaluateInTurns(now);
    this.last.set(evaluator, evaluation);
    const { group } = evaluator;
    this.telemetry.evaluated(group.name, (performance.now() - started) / 1000, evaluation.rules);
    for (const result of evaluation.rules) {
      const key = `${group.file}\u0000${group.name}\u0000${result.rule.name}`;
      if (result.health === 'err') {
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

  /** The last evaluation of a group, if it has been evaluated. */
  lastEvaluation(evaluator: GroupEvaluator): GroupEvaluation | undefined {
    return this.last.get(evaluator);
  }

  /** Every group's evaluator, in rule file order. */
  get groups(): readonly GroupEvaluator[] {
    return this.evaluators;
  }

  async stop(): Promise<void> {
    await Promise.all(this.timers.splice(0).map((t) => t.cancel()));
    this.telemetry.close();
  }
}
