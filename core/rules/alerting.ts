import { labelsKey, parseExpr } from '../promql/index.js';
import type { Labels, Sample } from '../promql/types.js';
import { queryVector, RuleEvalError } from './query.js';
import { expandAlertTemplate, templateFunctions } from './template/index.js';
import type { Alert, AlertingRule, AlertState, RuleStorage } from './types.js';

/** How long a resolved alert is kept, so its resolved notice is sent again (rules/alerting.go). */
export const RESOLVED_RETENTION_MS = 15 * 60_000;

interface ActiveAlert {
  state: AlertState;
  labels: Labels;
  annotations: Labels;
  value: number;
  activeAt: number;
  firedAt: number | undefined;
  resolvedAt: number | undefined;
  lastSentAt: number | undefined;
  validUntil: number;
  keepFiringSince: number | undefined;
  /** The labels of its ALERTS and ALERTS_FOR_STATE series, made when its state last changed. */
  series?: { readonly state: AlertState; readonly alerts: Labels; readonly forState: Labels };
}

export interface AlertingContext {
  readonly storage: RuleStorage;
  /** Resolved alerts kept for their notices at most; the longest resolved go first, counted. */
  readonly maxResolvedAlerts: number;
  readonly intervalMs: number;
  readonly externalLabels: Labels;
  readonly externalUrl: string;
}

/** Sent to Alertmanager at this evaluation: a copy of the alert as it was when sent. */
export type SentAlert = Readonly<
  Pick<ActiveAlert, 'labels' | 'annotations' | 'value' | 'firedAt' | 'resolvedAt' | 'validUntil'>
>;

/**
 * One alerting rule's alerts between evaluations: inactive -> pending -> firing after `for`,
 * keep_firing_for, resolved alerts kept 15 minutes, as Prometheus's AlertingRule.Eval.
 */
export class AlertingRuleState {
  private readonly active = new Map<string, ActiveAlert>();
  /** Resolved alerts forgotten before their 15 minutes because maxResolvedAlerts were kept. */
  forgottenResolved = 0;
  private readonly env;
  private readonly functions;

  constructor(
    readonly rule: AlertingRule,
    private readonly ctx: AlertingContext,
  ) {
    this.env = {
      t: 0,
      externalUrl: ctx.externalUrl,
      query: (q: string, t: number) =>
        queryVector(parseExpr(q), ctx.storage, t, ctx.intervalMs).map((s) => ({
          labels: s.labels,
          value: s.v,
        })),
    };
    this.functions = templateFunctions(this.env);
  }

  /**
   * Evaluates at group time `ts` reading data at `ts - queryOffsetMs`; returns ALERTS and
   * ALERTS_FOR_STATE samples. Throws RuleEvalError (the query failed, duplicate alert labels, or more
   * than `limit` alerts, which also forgets every alert as Prometheus does).
   */
  eval(ts: number, queryOffsetMs: number, limit: number): Sample[] {
    const { rule, ctx } = this;
    const results = queryVector(rule.expr.expr, ctx.storage, ts - queryOffsetMs, ctx.intervalMs);
    this.env.t = ts;
    const found = new Map<string, ActiveAlert>();
    for (const sample of results) {
      // Templates see the sample's labels as they are, __name__ included (Prometheus's Metric.Map()).
      const data = {
        labels: sample.labels,
        externalLabels: ctx.externalLabels,
        externalUrl: ctx.externalUrl,
        value: sample.v,
      };
      const expand = (text: Parameters<typeof expandAlertTemplate>[0]) =>
        expandAlertTemplate(text, rule.name, data, this.functions);
      const labels: Record<string, string> = { ...sample.labels };
      delete labels.__name__;
      for (const [name, template] of rule.labels) setLabel(labels, name, expand(template));
      labels.alertname = rule.name;
      const annotations: Record<string, string> = {};
      for (const [name, template] of rule.annotations) annotations[name] = expand(template);
      const key = labelsKey(labels);
      if (found.has(key))
        throw new RuleEvalError('vector contains metrics with the same labelset after applying alert labels');
      found.set(key, {
        state: 'pending',
        labels,
        annotations,
        value: sample.v,
        activeAt: ts,
        firedAt: undefined,
        resolvedAt: undefined,
        lastSentAt: undefined,
        validUntil: 0,
        keepFiringSince: undefined,
      });
    }
    for (const [key, alert] of found) {
      const existing = this.active.get(key);
      if (existing && existing.state !== 'inactive') {
        existing.value = alert.value;
        existing.annotations = alert.annotations;
      } else this.active.set(key, alert);
    }
    const samples: Sample[] = [];
    const at = ts - queryOffsetMs;
    let activeCount = 0;
    for (const [key, a] of this.active) {
      if (!found.has(key)) {
        let keepFiring = false;
        if (a.state === 'firing' && rule.keepFiringForMs > 0) {
          a.keepFiringSince ??= ts;
          keepFiring = ts - a.keepFiringSince < rule.keepFiringForMs;
        }
        if (
          a.state === 'pending' ||
          (a.resolvedAt !== undefined && ts - a.resolvedAt > RESOLVED_RETENTION_MS)
        )
          this.active.delete(key);
        if (a.state !== 'inactive' && !keepFiring) {
          a.state = 'inactive';
          a.resolvedAt = ts;
        }
        if (!keepFiring) continue;
      } else a.keepFiringSince = undefined;
      activeCount++;
      if (a.state === 'pending' && ts - a.activeAt >= rule.forMs) {
        a.state = 'firing';
        a.firedAt = ts;
      }
      const series = outputLabels(a);
      samples.push(
        { labels: series.alerts, t: at, v: 1 },
        { labels: series.forState, t: at, v: Math.floor(a.activeAt / 1000) },
      );
    }
    if (limit > 0 && activeCount > limit) {
      this.active.clear();
      throw new RuleEvalError(`exceeded limit of ${limit} with ${activeCount} alerts`);
    }
    this.forgetResolvedBeyondCap();
    return samples;
  }

  /** Alerts whose labels keep changing resolve as fast as they start: keep their notices bounded. */
  private forgetResolvedBeyondCap(): void {
    const resolved = [...this.active].filter(([, a]) => a.state === 'inactive');
    const excess = resolved.length - this.ctx.maxResolvedAlerts;
    if (excess <= 0) return;
    resolved.sort(([, a], [, b]) => (a.resolvedAt ?? 0) - (b.resolvedAt ?? 0));
    for (const [key] of resolved.slice(0, excess)) this.active.delete(key);
    this.forgottenResolved += excess;
  }

  /** The alerts to send at `ts` (Prometheus's needsSending), marked as sent. */
  toSend(ts: number, resendDelayMs: number, intervalMs: number): SentAlert[] {
    const sent: SentAlert[] = [];
    for (const a of this.active.values()) {
      if (a.state === 'pending') continue;
      const resolvedSinceSent =
        a.resolvedAt !== undefined && (a.lastSentAt === undefined || a.resolvedAt > a.lastSentAt);
      if (!resolvedSinceSent && a.lastSentAt !== undefined && !(a.lastSentAt + resendDelayMs < ts)) continue;
      a.lastSentAt = ts;
      a.validUntil = ts + 4 * Math.max(intervalMs, resendDelayMs);
      sent.push({ ...a });
    }
    return sent;
  }

  /** Pending and firing alerts (not the resolved ones kept for their notices). */
  alerts(): Alert[] {
    const out: Alert[] = [];
    for (const a of this.active.values()) {
      if (a.resolvedAt !== undefined) continue;
      out.push({
        rule: this.rule.name,
        state: a.state,
        labels: a.labels,
        annotations: a.annotations,
        value: a.value,
        activeAt: a.activeAt,
        firedAt: a.firedAt,
        resolvedAt: a.resolvedAt,
        keepFiringSince: a.keepFiringSince,
      });
    }
    return out;
  }
}

/** The same label objects every evaluation while the state holds: the window keys each set once. */
function outputLabels(a: ActiveAlert): NonNullable<ActiveAlert['series']> {
  if (a.series?.state !== a.state)
    a.series = {
      state: a.state,
      alerts: { ...a.labels, __name__: 'ALERTS', alertstate: a.state },
      forState: { ...a.labels, __name__: 'ALERTS_FOR_STATE' },
    };
  return a.series;
}

/** Prometheus's labels.Builder.Set: an empty value removes the label. */
export function setLabel(labels: Record<string, string>, name: string, value: string): void {
  if (value === '') delete labels[name];
  else labels[name] = value;
}
