import { labelsKey } from '../labels.js';
import type { Expr, Labels, Series } from '../types.js';

/** A selector's last input order and the permutation that sorted it. */
interface Order {
  readonly input: readonly Labels[];
  readonly permutation: readonly number[];
}

/** By selector node: a rule's storage returns its series in the same order every cycle. */
const lastOrders = new WeakMap<Expr, Order>();

/**
 * Storage answers already sorted: a storage that gives one answer (array) to several selectors of a
 * rule cycle (the alert rules' window does) has it sorted once.
 */
const sortedAnswers = new WeakMap<readonly Series[], readonly Series[]>();

/**
 * `series` sorted by labels, as Prometheus's storage returns them (topk's ties and the order of
 * groups follow it). When the storage returns the same series in the same order as last time for
 * this selector, the last permutation is reused: no sort on the rules' steady state.
 */
export function inLabelOrder(selector: Expr, series: readonly Series[]): readonly Series[] {
  let out = sortedAnswers.get(series);
  if (out) return out;
  const last = lastOrders.get(selector);
  let permutation = last && sameOrder(last.input, series) ? last.permutation : undefined;
  if (!permutation) {
    const keys = series.map((s) => labelsKey(s.labels));
    permutation = keys
      .map((_, i) => i)
      .sort((a, b) => {
        const x = keys[a] as string;
        const y = keys[b] as string;
        return x < y ? -1 : x > y ? 1 : 0;
      });
    lastOrders.set(selector, { input: series.map((s) => s.labels), permutation });
  }
  out = permutation.map((i) => series[i] as Series);
  sortedAnswers.set(series, out);
  return out;
}

function sameOrder(input: readonly Labels[], series: readonly Series[]): boolean {
  if (input.length !== series.length) return false;
  for (let i = 0; i < input.length; i++) if (input[i] !== series[i]?.labels) return false;
  return true;
}
