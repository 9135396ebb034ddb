import type { Matcher, Series } from '../promql/types.js';

/** At most this many selectors are remembered; past it (or past the series cap) all are forgotten. */
const MAX_SELECTORS = 1_000;

interface Selection {
  readonly minT: number;
  readonly maxT: number;
  /** The window's change stamp of the series the selector can read, when this answer was made. */
  readonly stamp: number;
  readonly series: readonly Series[];
}

/** A selector's text as a key: rules written alike share one answer. */
const keys = new WeakMap<readonly Matcher[], string>();

function selectorKey(matchers: readonly Matcher[]): string {
  let key = keys.get(matchers);
  if (key === undefined) {
    key = matchers.map((m) => `${m.name}\x00${m.op}\x00${m.value}`).join('\x01');
    keys.set(matchers, key);
  }
  return key;
}

/**
 * The last answer of each selector, given again while the series it reads have not changed: the
 * rules of a group evaluate at one time and often share selectors (20 error-rate thresholds over one
 * counter), and the evaluator caches its work by the answer's identity. Holds at most `maxSeries`
 * series across its answers (the window's own cap), so it never holds more than one window's worth.
 */
export class SelectionCache {
  private readonly selections = new Map<string, Selection>();
  private held = 0;

  constructor(private readonly maxSeries: number) {}

  get(
    matchers: readonly Matcher[],
    minT: number,
    maxT: number,
    stamp: number,
    select: () => Series[],
  ): readonly Series[] {
    const key = selectorKey(matchers);
    const last = this.selections.get(key);
    if (last && last.stamp === stamp && last.minT === minT && last.maxT === maxT) return last.series;
    const series = select();
    if (last) {
      this.selections.delete(key);
      this.held -= last.series.length;
    }
    if (this.held + series.length > this.maxSeries || this.selections.size >= MAX_SELECTORS) {
      this.selections.clear();
      this.held = 0;
    }
    this.selections.set(key, { minT, maxT, stamp, series });
    this.held += series.length;
    return series;
  }
}
