import { labelsKey } from './labels.js';
import { compileMatchers } from './matchers.js';
import type { Labels, Matcher, Point, Queryable, Series } from './types.js';

/** One stored series, points oldest first (a Point object keeps a staleness marker's NaN bits). */
interface StoredSeries {
  readonly labels: Labels;
  readonly points: Point[];
}

/**
 * Series held in memory, for tests and `test-rules`: the `load` blocks of Prometheus's test files
 * and promtool's `input_series` append here, the evaluator selects from here. Unbounded by design:
 * its input is a test file, not live traffic.
 */
export class MemoryStorage implements Queryable {
  private readonly series = new Map<string, StoredSeries>();

  /** Adds a sample; a sample at a time already held replaces it (the last write wins). */
  append(labels: Labels, t: number, v: number): void {
    const key = labelsKey(labels);
    let s = this.series.get(key);
    if (!s) {
      s = { labels: { ...labels }, points: [] };
      this.series.set(key, s);
    }
    const { points } = s;
    const last = points[points.length - 1];
    if (!last || last.t < t) {
      points.push({ t, v });
      return;
    }
    const i = firstAtOrAfter(points, t);
    if (points[i]?.t === t) points[i] = { t, v };
    else points.splice(i, 0, { t, v });
  }

  clear(): void {
    this.series.clear();
  }

  *select(matchers: readonly Matcher[], minT: number, maxT: number): Iterable<Series> {
    const matches = compileMatchers(matchers);
    for (const s of this.series.values()) {
      if (!matches(s.labels)) continue;
      const from = firstAtOrAfter(s.points, minT);
      const to = firstAtOrAfter(s.points, maxT + 1);
      if (to > from) yield { labels: s.labels, points: s.points.slice(from, to) };
    }
  }
}

/** The first index whose time is >= t. */
function firstAtOrAfter(points: readonly Point[], t: number): number {
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((points[mid] as Point).t < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
