import { evaluateInstant, MemoryStorage, PromqlParseError, parseExpr } from '../../promql/index.js';
import { compareLabels } from '../../promql/labels.js';
import { parseSeriesDescription, seriesPoints } from '../../promql/series-notation.js';
import type { Labels, Sample } from '../../promql/types.js';
import { type GroupEvaluation, GroupEvaluator } from '../group.js';
import type { RuleGroup } from '../types.js';
import {
  compareAlerts,
  formatAlerts,
  formatDuration,
  formatSamples,
  indentLines,
  type LabeledValue,
  type LabelsAndAnnotations,
  quote,
} from './format.js';
import type { AlertTest, PromqlTest, TestGroup } from './test-file.js';

export interface GroupRunOptions {
  /** The groups of the file's rule_files, in group_eval_order. */
  groups: readonly RuleGroup[];
  /** The file's evaluation_interval: how often the groups are evaluated. */
  evaluationIntervalMs: number;
  /** Values equal when one float step apart (the file's fuzzy_compare). */
  fuzzy: boolean;
}

/** A point of an input series, to be appended once evaluation reaches its time. */
interface InputPoint {
  readonly labels: Labels;
  readonly t: number;
  readonly v: number;
}

const INDENT = '            ';

/**
 * Runs one test group as promtool does: the input series from the group's start, the rule groups
 * evaluated every evaluation_interval up to the last eval_time (each seeing the samples up to that
 * time and the outputs of the rules before it), the firing alerts compared at each eval_time with the
 * evaluation at or just before it, then the PromQL expressions against everything stored.
 * Returns promtool's error texts; none means the group passed.
 */
export function runTestGroup(test: TestGroup, options: GroupRunOptions): string[] {
  const { evaluationIntervalMs: every } = options;
  const intervalMs = test.interval || every;
  const mint = test.start_timestamp ?? 0;
  const named = test.name ? `    name: ${test.name},\n` : '';
  const errors: string[] = [];

  let input: InputPoint[];
  try {
    input = inputPoints(test, mint, intervalMs);
  } catch (err) {
    return [(err as Error).message];
  }
  const missingName = test.alert_rule_test.find((a) => a.alertname === '');
  if (missingName) {
    const inGroup = test.name ? ` (in TestGroup ${test.name})` : '';
    return [
      `an item under alert_rule_test misses required attribute alertname at eval_time ${formatDuration(missingName.eval_time)}${inGroup}`,
    ];
  }

  const storage = new MemoryStorage();
  const evaluators = options.groups.map(
    (group) =>
      new GroupEvaluator(group, {
        storage,
        intervalMs,
        externalLabels: test.external_labels,
        externalUrl: test.external_url,
      }),
  );
  const alertTests = [...test.alert_rule_test].sort((a, b) => a.eval_time - b.eval_time);
  const maxt = mint + maxEvalTime(test);
  let next = 0;
  let loaded = 0;
  for (let ts = mint; ts <= maxt; ts += every) {
    while (loaded < input.length && (input[loaded] as InputPoint).t <= ts) {
      const p = input[loaded++] as InputPoint;
      storage.append(p.labels, p.t, p.v);
    }
    const evaluations = evaluators.map((e) => e.evaluate(ts));
    const failed = ruleErrors(evaluations, ts);
    if (failed.length > 0) return [...errors, ...failed];
    for (; next < alertTests.length; next++) {
      const alertTest = alertTests[next] as AlertTest;
      const at = mint + alertTest.eval_time;
      if (at >= ts + every) break;
      const mismatch = compareAlertTest(alertTest, evaluations);
      if (mismatch) errors.push(`${named}${mismatch}`);
    }
  }

  for (const exprTest of test.promql_expr_test) {
    const mismatch = comparePromqlTest(exprTest, storage, mint, every, options.fuzzy);
    if (mismatch) errors.push(mismatch);
  }
  return errors;
}

function inputPoints(test: TestGroup, mint: number, intervalMs: number): InputPoint[] {
  const points: InputPoint[] = [];
  for (const { series, values } of test.input_series) {
    let description: ReturnType<typeof parseSeriesDescription>;
    try {
      description = parseSeriesDescription(`${series} ${values}`);
    } catch (err) {
      // promtool gives only the position; the series says which of them it is in.
      throw new Error(`    series: ${quote(series)}, values: ${quote(values)}: ${(err as Error).message}`);
    }
    for (const p of seriesPoints(description, mint, intervalMs))
      points.push({ labels: description.labels, ...p });
  }
  return points.sort((a, b) => a.t - b.t);
}

function maxEvalTime(test: TestGroup): number {
  let max = 0;
  for (const t of [...test.alert_rule_test, ...test.promql_expr_test]) max = Math.max(max, t.eval_time);
  return max;
}

function ruleErrors(evaluations: readonly GroupEvaluation[], ts: number): string[] {
  const errors: string[] = [];
  for (const evaluation of evaluations) {
    for (const { rule, health, error } of evaluation.rules) {
      if (health === 'err') errors.push(`    rule: ${rule.name}, time: ${formatDuration(ts)}, err: ${error}`);
    }
  }
  return errors;
}

/** The firing alerts of the rules named `alertname` (in every group) against the expected ones. */
function compareAlertTest(test: AlertTest, evaluations: readonly GroupEvaluation[]): string | undefined {
  const got: LabelsAndAnnotations[] = [];
  for (const evaluation of evaluations) {
    for (const alert of evaluation.alerts) {
      if (alert.rule === test.alertname && alert.state === 'firing') {
        got.push({ labels: alert.labels, annotations: alert.annotations });
      }
    }
  }
  const expected: LabelsAndAnnotations[] = test.exp_alerts.map((a) => ({
    labels: { ...a.exp_labels, alertname: test.alertname },
    annotations: a.exp_annotations,
  }));
  got.sort(compareAlerts);
  expected.sort(compareAlerts);
  const same =
    got.length === expected.length &&
    got.every((g, i) => compareAlerts(g, expected[i] as LabelsAndAnnotations) === 0);
  if (same) return undefined;
  return `    alertname: ${test.alertname}, time: ${formatDuration(test.eval_time)}, \n        exp:${indentLines(formatAlerts(expected), INDENT)}, \n        got:${indentLines(formatAlerts(got), INDENT)}`;
}

function comparePromqlTest(
  test: PromqlTest,
  storage: MemoryStorage,
  mint: number,
  every: number,
  fuzzy: boolean,
): string | undefined {
  const where = `    expr: ${quote(test.expr)}, time: ${formatDuration(test.eval_time)}`;
  let got: LabeledValue[];
  try {
    got = instantSamples(test.expr, storage, mint + test.eval_time, every);
  } catch (err) {
    // As Prometheus's ParseErr prints itself: `1:22: parse error: unclosed left parenthesis`.
    const message =
      err instanceof PromqlParseError
        ? (err as Error).message.replace(/^(\d+:\d+: )/, '$1parse error: ')
        : (err as Error).message;
    return `${where}, err: ${message}`;
  }
  const expected: LabeledValue[] = [];
  for (const sample of test.exp_samples) {
    if (sample.histogram) {
      return `${where}, err: labels ${quote(sample.labels)}: native histograms are not supported (an expected sample's histogram)`;
    }
    try {
      // No labels (a scalar's sample) is the empty set, as Prometheus's ParseMetric("") gives.
      const labels = sample.labels.trim() === '' ? {} : parseSeriesDescription(sample.labels).labels;
      expected.push({ labels, value: sample.value });
    } catch (err) {
      return `${where}, err: labels ${quote(sample.labels)}: ${(err as Error).message}`;
    }
  }
  const order = (a: LabeledValue, b: LabeledValue) => compareLabels(a.labels, b.labels);
  got.sort(order);
  expected.sort(order);
  const same =
    got.length === expected.length &&
    got.every((g, i) => {
      const e = expected[i] as LabeledValue;
      return compareLabels(g.labels, e.labels) === 0 && sameFloat(g.value, e.value, fuzzy);
    });
  if (same) return undefined;
  return `${where},\n        exp: ${formatSamples(expected)}\n        got: ${formatSamples(got)}`;
}

/** An instant query's samples; a scalar is one sample without labels, as promtool's query(). */
function instantSamples(expr: string, storage: MemoryStorage, t: number, every: number): LabeledValue[] {
  const value = evaluateInstant(parseExpr(expr), storage, t, { noStepSubqueryIntervalMs: every });
  if (value.type === 'scalar') return [{ labels: {}, value: value.v }];
  if (value.type !== 'vector') throw new Error('rule result is not a vector or scalar');
  return value.samples.map((s: Sample) => ({ labels: s.labels, value: s.v }));
}

/** Go's cmp.Equal on float64 (NaN is never equal), or one float step apart with fuzzy_compare. */
function sameFloat(a: number, b: number, fuzzy: boolean): boolean {
  if (a === b) return true;
  if (!fuzzy || Number.isNaN(a) || Number.isNaN(b)) return false;
  return nextAfter(a, -Infinity) === b || nextAfter(a, Infinity) === b;
}

function nextAfter(x: number, toward: number): number {
  if (x === toward) return x;
  if (x === 0) return toward > 0 ? Number.MIN_VALUE : -Number.MIN_VALUE;
  const bits = new BigInt64Array(new Float64Array([x]).buffer);
  bits[0] = (bits[0] as bigint) + (toward > x === x > 0 ? 1n : -1n);
  return new Float64Array(bits.buffer)[0] as number;
}
