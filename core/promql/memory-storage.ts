import { labelsKey } from './labels.js';
import { compileMatchers } from './matchers.js';
import type { Labels, Matcher, Point, Queryable, Series } from './types.js';

/** One stored series: times ascending; values in a Float64Array so staleness markers keep their bits. */
interface StoredSeries {
  readonly labels: Labels;
  times: number[];
  values: Float64Array;
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
      s = { labels: { ...labels }, times: [], values: new Float64Array(4) };
      this.series.set(key, s);
    }
    const n = s.times.length;
    let i = n;
    if (n > 0 && (s.times[n - 1] as number) >= t) {
      i = lowerBound(s.times, t);
      if (s.times[i] === t) {
        s.values[i] = v;
        return;
      }
    }
    if (n === s.values.length) {
      const grown = new Float64Array(n * 2);
      grown.set(s.values);
      s.values = grown;
    }
    s.times.splice(i, 0, t);
    s.values.copyWithin(i + 1, i, n);
    s.values[i] = v;
  }

  clear(): void {
    this.series.clear();
  }

  *select(matchers: readonly Matcher[], minT: number, maxT: number): Iterable<Series> {
    const matches = compileMatchers(matchers);
    for (const s of this.series.values()) {
      if (!matches(s.labels)) continue;
      const points: Point[] = [];
      for (let i = lowerBound(s.times, minT); i < s.times.length; i++) {
        const t = s.times[i] as number;
        if (t > maxT) break;
        points.push({ t, v: s.values[i] as number });
      }
      if (points.length > 0) yield { labels: s.labels, points };
    }
  }
}

/** The first index whose time is >= t. */
function lowerBound(times: readonly number[], t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((times[mid] as number) < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
