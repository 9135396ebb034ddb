import { labelsKey, STALE_NAN } from '../promql/index.js';
import type { Labels, Sample } from '../promql/types.js';
import { AlertingRuleState, setLabel } from './alerting.js';
import { expressionLink } from './links.js';
import { queryVector, RuleEvalError } from './query.js';
import type {
  Alert,
  AlertNotification,
  RecordingRule,
  Rule,
  RuleGroup,
  RuleHealth,
  RuleStorage,
} from './types.js';

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

/** What one evaluation has gathered so far. */
interface Run {
  readonly t: number;
  readonly samples: Sample[];
  readonly notifications: AlertNotification[];
  readonly health: RuleHealth[];
}

function newRun(t: number): Run {
  return { t, samples: [], notifications: [], health: [] };
}

/** Lets whatever waits on the event loop (I/O, timers) run, then resolves. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

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
  /** The last run of evaluateInTurns: the next starts when it has ended. */
  private inTurns: Promise<unknown> = Promise.resolve();

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

  /** Evaluates every rule at group time `t` (data read at t - query_offset), in one go. */
  evaluate(t: number): GroupEvaluation {
    const run = newRun(t);
    for (let i = 0; i < this.group.rules.length; i++) this.evaluateRule(run, i);
    return this.finish(run);
  }

  /**
   * As evaluate(), giving the event loop a turn (setImmediate) before each rule but the first, so a
   * large group does not hold it for its whole run (what the alertrules components use; test-rules
   * and the bench evaluate in one go). Runs of one evaluator follow each other, never interleave.
   */
  evaluateInTurns(t: number): Promise<GroupEvaluation> {
    const result = this.inTurns.then(async () => {
      const run = newRun(t);
      for (let i = 0; i < this.group.rules.length; i++) {
        if (i > 0) await nextTurn();
        this.evaluateRule(run, i);
      }
      return this.finish(run);
    });
    this.inTurns = result.catch(() => undefined);
    return result;
  }

  /** One rule: its outputs appended to the storage (with staleness markers for those gone), its health. */
  private evaluateRule(run: Run, i: number): void {
    const { t } = run;
    const rule = this.group.rules[i] as Rule;
    const { storage } = this.options;
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
      run.health.push({ rule, health: 'err', error, durationMs: performance.now() - started });
      return;
    }
    if (alerting) run.notifications.push(...this.notify(alerting, t));
    const returned: PreviousSeries = new Map();
    for (const s of vector) {
      storage.append(s.labels, s.t, s.v);
      returned.set(labelsKey(s.labels), s.labels);
      run.samples.push(s);
    }
    const previous = this.previous[i] as PreviousSeries;
    for (const [key, labels] of previous) {
      if (returned.has(key)) continue;
      const stale = { labels, t: t - this.queryOffsetMs, v: STALE_NAN };
      storage.append(stale.labels, stale.t, stale.v);
      run.samples.push(stale);
    }
    this.previous[i] = returned;
    run.health.push({ rule, health: 'ok', error: undefined, durationMs: performance.now() - started });
  }

  private finish(run: Run): GroupEvaluation {
    const alerts = [...this.alerting.values()].flatMap((a) => a.alerts());
    return { t: run.t, samples: run.samples, notifications: run.notifications, alerts, rules: run.health };
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
