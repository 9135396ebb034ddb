import type { Expr, Labels, Queryable } from '../promql/types.js';
import type { Template } from './template/types.js';

/** Where something was written in a rule file: 1-based line and column. */
export interface RulePosition {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** A rule's expression: the tree, and its text with where that text starts in the file. */
export interface RuleExpr {
  readonly text: string;
  readonly expr: Expr;
  readonly position: RulePosition;
}

export interface RecordingRule {
  readonly kind: 'recording';
  /** The `record:` metric name. */
  readonly name: string;
  readonly expr: RuleExpr;
  /** Static labels (recording rules' labels are not templates in Prometheus). */
  readonly labels: Labels;
  readonly position: RulePosition;
}

export interface AlertingRule {
  readonly kind: 'alerting';
  /** The `alert:` name. */
  readonly name: string;
  readonly expr: RuleExpr;
  readonly forMs: number;
  readonly keepFiringForMs: number;
  /** Label templates, by label name (group labels merged under the rule's own). */
  readonly labels: ReadonlyMap<string, Template>;
  readonly annotations: ReadonlyMap<string, Template>;
  readonly position: RulePosition;
}

export type Rule = RecordingRule | AlertingRule;

/** One `groups:` entry of a rule file, validated as Prometheus validates it. */
export interface RuleGroup {
  readonly name: string;
  readonly file: string;
  /** `interval:`; undefined: the evaluation interval of whoever evaluates the group. */
  readonly intervalMs: number | undefined;
  /** `limit:`; 0 means none. */
  readonly limit: number;
  /** `query_offset:`; undefined: the evaluator's default (0). */
  readonly queryOffsetMs: number | undefined;
  readonly rules: readonly Rule[];
}

/** A problem in a rule file, located at the position in the file (inside the expression when it is one). */
export interface RuleProblem {
  /** TRB_RULES_PARSE, TRB_RULES_INVALID, TRB_RULES_TEMPLATE, TRB_RULES_FILES, TRB_PROMQL_PARSE, TRB_PROMQL_UNSUPPORTED. */
  readonly code: string;
  /** The rule file, or the pattern when no file matches it. */
  readonly file: string;
  /** 1-based; 0 (with column 0) when the problem is the file or pattern as a whole. */
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

/** A queryable the rules append their outputs to (recording rules, ALERTS, ALERTS_FOR_STATE). */
export interface RuleStorage extends Queryable {
  append(labels: Labels, t: number, v: number): void;
}

export type AlertState = 'pending' | 'firing' | 'inactive';

/** An alert as the rule holds it (Prometheus's rules.Alert). Times in ms. */
export interface Alert {
  readonly rule: string;
  readonly state: AlertState;
  /** Series labels, then the rule's expanded labels, then `alertname`. */
  readonly labels: Labels;
  readonly annotations: Labels;
  readonly value: number;
  readonly activeAt: number;
  /** When it started firing; undefined while pending. */
  readonly firedAt: number | undefined;
  /** When it was resolved; undefined while active. */
  readonly resolvedAt: number | undefined;
  /** While kept firing by keep_firing_for: since when the expression no longer returned it. */
  readonly keepFiringSince: number | undefined;
}

/** One alert to send to Alertmanager (and as an alert event log record), as Prometheus's notifier would. */
export interface AlertNotification {
  readonly name: string;
  readonly state: 'firing' | 'resolved';
  /** Alert labels with external labels added (the alert's own win). */
  readonly labels: Labels;
  readonly annotations: Labels;
  readonly startsAt: number;
  /** While firing: evaluation time + 4 * max(group interval, resend delay); when resolved: the resolve time. */
  readonly endsAt: number;
  readonly generatorUrl: string;
  readonly value: number;
}

/** How one rule fared in one evaluation (Prometheus's rule health). */
export interface RuleHealth {
  readonly rule: Rule;
  readonly health: 'ok' | 'err';
  /** Why it failed: a query error, `limit` exceeded, a duplicate output series. */
  readonly error: string | undefined;
  readonly durationMs: number;
}
