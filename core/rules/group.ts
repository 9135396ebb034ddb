import { labelsKey, STALE_NAN } from '../promql/index.js';
import type { Labels, Sample } from '../promql/types.js';
import { AlertingRuleState, setLabel } from './alerting.js';
import { expressionLink } from './links.js';
import { queryVector, RuleEvalError } from './query.js';
import type { Alert, AlertNotification, RecordingRule, RuleGroup, RuleHealth, RuleStorage } from './types.js';

export interface GroupEvaluatorOptions {
  /** Samples are read from and rule outputs appended to it. */
  storage: RuleStorage;
  /** The interval when the group sets none (the evaluation_interval). Default 1m, Prometheus's global default. */
  intervalMs?: number;
  /** The query offset when the group sets none. Default 0. */
  queryOffsetMs?: number;
  externalLabels?: Labels;
  /** Prometheus's --web.external-url: the base of generator URLs and $externalURL. */
  externalUrl?: string;
  /** How often a firing alert is sent again. Default 1m. */
  resendDelayMs?: number;
  /** Resolved alerts each alerting rule keeps for their notices at most. Default 10000. */
  maxResolvedAlerts?: number;
}

export interface GroupEvaluation {
  readonly t: number;
  readonly samples: readonly Sample[];
  readonly notifications: readonly AlertNotification[];
  readonly alerts: readonly Alert[];
  readonly rules: readonly RuleHealth[];
}

/** Where each rule's outputs went at the last evaluation: the series to mark stale when they go away. */
type PreviousSeries = Map<string, Labels>;

/**
 * Evaluates one rule group at successive times, holding its alerts between evaluations (Prometheus's
 * rules.Group.Eval): rules in order, each seeing what the ones before it appended.
 */
export class GroupEvaluator {
  readonly intervalMs: number;
  readonly queryOffsetMs: number;
  private readonly resendDelayMs: number;
  private readonly externalLabels: Labels;
  private readonly externalUrl: string;
  private readonly alerting = new Map<number, AlertingRuleState>();
  private readonly previous: PreviousSeries[];

  constructor(
    readonly group: RuleGroup,
    private readonly options: GroupEvaluatorOptions,
  ) {
    this.intervalMs = group.intervalMs ?? options.intervalMs ?? 60_000;
    this.queryOffsetMs = group.queryOffsetMs ?? options.queryOffsetMs ?? 0;
    this.resendDelayMs = options.resendDelayMs ?? 60_000;
    this.externalLabels = options.externalLabels ?? {};
    this.externalUrl = options.externalUrl ?? 'http://localhost:9090';
    const ctx = {
      storage: options.storage,
      intervalMs: this.intervalMs,
      externalLabels: this.externalLabels,
      externalUrl: this.externalUrl,
      maxResolvedAlerts: options.maxResolvedAlerts ?? 10_000,
    };
    group.rules.forEach((rule, i) => {
      if (rule.kind === 'alerting') this.alerting.set(i, new AlertingRuleState(rule, ctx));
    });
    this.previous = group.rules.map(() => new Map());
  }

  /** Evaluates every rule at group time `t` (data read at t - query_offset). */
  evaluate(t: number): GroupEvaluation {
    const samples: Sample[] = [];
    const notifications: AlertNotification[] = [];
    const health: RuleHealth[] = [];
    const { storage } = this.options;
    this.group.rules.forEach((rule, i) => {
      const started = performance.now();
      const alerting = this.alerting.get(i);
      let vector: Sample[];
      try {
        vector = alerting
          ? alerting.eval(t, this.queryOffsetMs, this.group.limit)
          : this.record(rule as RecordingRule, t - this.queryOffsetMs);
      } catch (err) {
        // Prometheus's rules fail one at a time: the group goes on, previous outputs stay as they were.
        const error = err instanceof Error ? err.message : String(err);
        health.push({ rule, health: 'err', error, durationMs: performance.now() - started });
        return;
      }
      if (alerting) notifications.push(...this.notify(alerting, t));
      const returned: PreviousSeries = new Map();
      for (const s of vector) {
        storage.append(s.labels, s.t, s.v);
        returned.set(labelsKey(s.labels), s.labels);
        samples.push(s);
      }
      const previous = this.previous[i] as PreviousSeries;
      for (const [key, labels] of previous) {
        if (returned.has(key)) continue;
        const stale = { labels, t: t - this.queryOffsetMs, v: STALE_NAN };
        storage.append(stale.labels, stale.t, stale.v);
        samples.push(stale);
      }
      this.previous[i] = returned;
      health.push({ rule, health: 'ok', error: undefined, durationMs: performance.now() - started });
    });
    const alerts = [...this.alerting.values()].flatMap((a) => a.alerts());
    return { t, samples, notifications, alerts, rules: health };
  }

  /** Resolved alerts forgotten before their 15 minutes because a rule kept maxResolvedAlerts. */
  get forgottenResolvedAlerts(): number {
    let n = 0;
    for (const a of this.alerting.values()) n += a.forgottenResolved;
    return n;
  }

  /** A recording rule's output: renamed, labelled, no two series alike, within the group's limit. */
  private record(rule: RecordingRule, at: number): Sample[] {
    const vector = queryVector(rule.expr.expr, this.options.storage, at, this.intervalMs);
    const seen = new Set<string>();
    const out = vector.map((s) => {
      const labels: Record<string, string> = { ...s.labels, __name__: rule.name };
      for (const [name, value] of Object.entries(rule.labels)) setLabel(labels, name, value);
      const key = labelsKey(labels);
      if (seen.has(key))
        throw new RuleEvalError('vector contains metrics with the same labelset after applying rule labels');
      seen.add(key);
      return { labels, t: s.t, v: s.v };
    });
    if (this.group.limit > 0 && out.length > this.group.limit)
      throw new RuleEvalError(`exceeded limit of ${this.group.limit} with ${out.length} series`);
    return out;
  }

  /** The notifications Prometheus's notifier would send for this rule now, external labels added. */
  private notify(rule: AlertingRuleState, t: number): AlertNotification[] {
    const generatorUrl = `${this.externalUrl.replace(/\/$/, '')}${expressionLink(rule.rule.expr.text.trim(), 'table')}`;
    return rule.toSend(t, this.resendDelayMs, this.intervalMs).map((a) => ({
      name: rule.rule.name,
      state: a.resolvedAt === undefined ? 'firing' : 'resolved',
      labels: { ...this.externalLabels, ...a.labels },
      annotations: a.annotations,
      startsAt: a.firedAt ?? t,
      endsAt: a.resolvedAt ?? a.validUntil,
      generatorUrl,
      value: a.value,
    }));
  }
}
