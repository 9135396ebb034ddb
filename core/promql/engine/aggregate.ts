import { formatFloat } from '../format.js';
import { type KahanSum, kahanAdd } from '../kahan.js';
import { quantile } from '../quantile.js';
import type { AggregateOp, Expr, Labels } from '../types.js';
import { PromqlEvalError } from './errors.js';
import { goSort, heapFixRoot, heapPush, type Less } from './go-heap.js';
import { groupingKeyOf } from './signatures.js';
import type { Elem, StepValue } from './values.js';

type AggregateExpr = Expr & { kind: 'aggregate' };

/** One group's running state; which fields matter depends on the operator. */
interface Group {
  readonly labels: Labels;
  readonly total: KahanSum;
  value: number;
  count: number;
  mean: number;
  incrementalMean: boolean;
  values: number[];
  heap: Elem[];
  dropName: boolean;
}

/** An aggregation at step `t` over `input` (Prometheus's aggregation / aggregationK / count_values). */
export function aggregateAt(
  e: AggregateExpr,
  input: readonly Elem[],
  param: StepValue | undefined,
  t: number,
): Elem[] {
  switch (e.op) {
    case 'topk':
    case 'bottomk':
      return topk(e, input, scalarParam(param), t);
    case 'count_values':
      return countValues(e, input, param?.type === 'string' ? param.v : '', t);
    case 'limitk':
    case 'limit_ratio':
      throw new PromqlEvalError(
        `${e.op}() is experimental and must be enabled with --enable-feature=promql-experimental-functions`,
      );
    default:
      return accumulate(e, e.op, input, scalarParam(param), t);
  }
}

function scalarParam(param: StepValue | undefined): number {
  return param?.type === 'scalar' ? param.v : Number.NaN;
}

function groupLabels(labels: Labels, grouping: readonly string[], without: boolean): Labels {
  const out: Record<string, string> = {};
  if (without) {
    for (const [name, v] of Object.entries(labels))
      if (name !== '__name__' && !grouping.includes(name)) out[name] = v;
  } else {
    for (const name of grouping) {
      const v = labels[name];
      if (v) out[name] = v;
    }
  }
  return out;
}

function newGroup(labels: Labels, f: number, dropName: boolean): Group {
  return {
    labels,
    total: { sum: f, c: 0 },
    value: f,
    count: 1,
    mean: f,
    incrementalMean: false,
    values: [],
    heap: [],
    dropName,
  };
}

/** The groups of `input` in order of first appearance, each sample folded in by `add`. */
function grouped(
  e: AggregateExpr,
  input: readonly Elem[],
  init: (g: Group, s: Elem) => void,
  add: (g: Group, s: Elem) => void,
): Group[] {
  const key = groupingKeyOf(e, e.grouping, e.without);
  const groups = new Map<string, Group>();
  for (const s of input) {
    const k = key(s.labels);
    const g = groups.get(k);
    if (g) {
      g.dropName ||= s.dropName;
      add(g, s);
    } else {
      const created = newGroup(groupLabels(s.labels, e.grouping, e.without), s.v, s.dropName);
      init(created, s);
      groups.set(k, created);
    }
  }
  return [...groups.values()];
}

function accumulate(e: AggregateExpr, op: AggregateOp, input: readonly Elem[], q: number, t: number): Elem[] {
  const groups = grouped(
    e,
    input,
    (g, s) => {
      if (op === 'stddev' || op === 'stdvar') g.value = Number.isFinite(s.v) ? 0 : Number.NaN;
      else if (op === 'quantile') g.values.push(s.v);
    },
    (g, s) => addSample(op, g, s.v),
  );
  return groups.map((g) => ({ labels: g.labels, t, v: result(op, g, q), dropName: g.dropName }));
}

function addSample(op: AggregateOp, g: Group, f: number): void {
  switch (op) {
    case 'sum':
      kahanAdd(g.total, f);
      return;
    case 'avg':
      addToMean(g, f);
      return;
    case 'max':
      if (g.value < f || Number.isNaN(g.value)) g.value = f;
      return;
    case 'min':
      if (g.value > f || Number.isNaN(g.value)) g.value = f;
      return;
    case 'count':
      g.count++;
      return;
    case 'stddev':
    case 'stdvar': {
      g.count++;
      const delta = f - g.mean;
      g.mean += delta / g.count;
      g.value += delta * (f - g.mean);
      return;
    }
    case 'quantile':
      g.values.push(f);
      return;
    default:
      return; // group: always 1
  }
}

/**
 * avg sums directly (with Kahan compensation) while the sum stays finite, then switches to an
 * incremental mean, as Prometheus 3 does: the test files check the digits.
 */
function addToMean(g: Group, f: number): void {
  g.count++;
  if (!g.incrementalMean) {
    const trial = { sum: g.total.sum, c: g.total.c };
    kahanAdd(trial, f);
    if (Number.isFinite(trial.sum) || Number.isNaN(trial.sum)) {
      g.total.sum = trial.sum;
      g.total.c = trial.c;
      return;
    }
    g.incrementalMean = true;
    g.mean = g.total.sum / (g.count - 1);
    g.total.c /= g.count - 1;
  }
  const q = (g.count - 1) / g.count;
  const next = { sum: q * g.mean, c: q * g.total.c };
  kahanAdd(next, f / g.count);
  g.mean = next.sum;
  g.total.c = next.c;
}

function result(op: AggregateOp, g: Group, q: number): number {
  switch (op) {
    case 'sum':
      return g.total.sum + g.total.c;
    case 'avg':
      return g.incrementalMean ? g.mean + g.total.c : g.total.sum / g.count + g.total.c / g.count;
    case 'count':
      return g.count;
    case 'group':
      return 1;
    case 'stdvar':
      return g.value / g.count;
    case 'stddev':
      return Math.sqrt(g.value / g.count);
    case 'quantile':
      return quantile(q, g.values);
    default:
      return g.value; // min, max
  }
}

const smallestFirst: Less<Elem> = (h, i, j) => {
  const vi = (h[i] as Elem).v;
  return Number.isNaN(vi) || vi < (h[j] as Elem).v;
};
const largestFirst: Less<Elem> = (h, i, j) => {
  const vi = (h[i] as Elem).v;
  return Number.isNaN(vi) || vi > (h[j] as Elem).v;
};

const MAX_INT64 = 2 ** 63;

/** topk/bottomk: a heap of k per group, the samples keeping their labels, highest (lowest) first. */
function topk(e: AggregateExpr, input: readonly Elem[], param: number, t: number): Elem[] {
  if (param < 1) return [];
  if (Number.isNaN(param)) throw new PromqlEvalError('Parameter value is NaN');
  if (param >= MAX_INT64) throw new PromqlEvalError(`Scalar value ${param} overflows int64`);
  const k = Math.min(Math.trunc(param), input.length);
  const top = e.op === 'topk';
  const heapLess = top ? smallestFirst : largestFirst;
  const groups = grouped(
    e,
    input,
    (g, s) => heapPush(g.heap, s, heapLess),
    (g, s) => {
      if (g.heap.length < k) heapPush(g.heap, s, heapLess);
      else if (beats(s.v, (g.heap[0] as Elem).v, top)) {
        g.heap[0] = s;
        if (k > 1) heapFixRoot(g.heap, heapLess);
      }
    },
  );
  const out: Elem[] = [];
  for (const g of groups) {
    if (g.heap.length > 1) goSort(g.heap, (h, i, j) => heapLess(h, j, i));
    for (const s of g.heap) out.push({ labels: s.labels, t, v: s.v, dropName: s.dropName });
  }
  return out;
}

function beats(v: number, root: number, top: boolean): boolean {
  if (Number.isNaN(root) && !Number.isNaN(v)) return true;
  return top ? root < v : root > v;
}

/** count_values: one series per distinct value (written as Go writes floats) per group; the label is a literal. */
function countValues(e: AggregateExpr, input: readonly Elem[], valueLabel: string, t: number): Elem[] {
  if (valueLabel === '') throw new PromqlEvalError('invalid label name ""');
  const grouping = e.without ? e.grouping : [...e.grouping, valueLabel];
  const key = groupingKeyOf(e, grouping, e.without);
  const counts = new Map<string, { labels: Labels; count: number }>();
  for (const s of input) {
    const labels = { ...s.labels, [valueLabel]: formatFloat(s.v) };
    const k = key(labels);
    const c = counts.get(k);
    if (c) c.count++;
    else counts.set(k, { labels: groupLabels(labels, grouping, e.without), count: 1 });
  }
  return [...counts.values()].map((c) => ({ labels: c.labels, t, v: c.count, dropName: false }));
}
