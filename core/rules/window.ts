import { labelsKey } from '../promql/labels.js';
import { compileMatchers } from '../promql/matchers.js';
import { isStaleNaN, STALE_NAN } from '../promql/stale.js';
import type { Labels, Matcher, Point, Series } from '../promql/types.js';
import type { RuleStorage } from './types.js';

export interface WindowOptions {
  /** Samples older than this (before the newest time seen) are dropped: see retentionMs(). */
  retentionMs: number;
  /** New series beyond this many are refused and counted. */
  maxSeries: number;
  /** The most samples one series keeps; the oldest go first, counted. */
  maxSamplesPerSeries: number;
}

/** What the window holds and what it refused, for self-telemetry. */
export interface WindowStats {
  series: number;
  samples: number;
  /** Samples of new series refused because the window held max_series series. */
  refusedSamples: number;
  /** Samples at or before the series' newest time (a batch sent twice, a clock going back). */
  outOfOrderSamples: number;
  /** The oldest samples of series that reached max_samples_per_series. */
  droppedSamples: number;
}

interface StoredSeries {
  readonly labels: Labels;
  times: number[];
  /** A Float64Array, not an array: V8 canonicalises NaNs in double arrays, staleness markers need their bits. */
  values: Float64Array;
  /** Index of the oldest sample still held: evicted ones are cut off in bulk. */
  head: number;
  /** The running total of a series fed by deltas. */
  total: number;
  /** The time between its last two samples: how often it normally arrives. */
  gap: number;
  stale: boolean;
}

/** How many update intervals a series may miss before it is marked stale, as a missed scrape would. */
const MISSED_UPDATES = 3;

/**
 * A bounded in-memory store of the series the alert rules read: the metrics passing through (named
 * as the prometheus exporter names them) and the rules' own outputs. It keeps the last `retentionMs`,
 * at most `maxSeries` series and `maxSamplesPerSeries` samples each, and marks series stale when they
 * stop arriving so alerts resolve.
 */
export class SeriesWindow implements RuleStorage {
  private readonly series = new Map<string, StoredSeries>();
  /** Series by metric name: most selectors name one. */
  private readonly byName = new Map<string, Set<StoredSeries>>();
  private newest = Number.NEGATIVE_INFINITY;
  private readonly counts = { refusedSamples: 0, outOfOrderSamples: 0, droppedSamples: 0 };

  constructor(private readonly options: WindowOptions) {}

  /** Adds a sample; `delta` adds `v` to the series' running total (a delta sum). */
  append(labels: Labels, t: number, v: number, delta = false): void {
    const key = labelsKey(labels);
    let s = this.series.get(key);
    if (!s) {
      if (this.series.size >= this.options.maxSeries) {
        this.counts.refusedSamples++;
        return;
      }
      s = { labels, times: [], values: new Float64Array(4), head: 0, total: 0, gap: 0, stale: false };
      this.series.set(key, s);
      const name = labels.__name__ ?? '';
      const named = this.byName.get(name);
      if (named) named.add(s);
      else this.byName.set(name, new Set([s]));
    }
    const last = s.times.length > s.head ? (s.times[s.times.length - 1] as number) : undefined;
    if (last !== undefined && t <= last) {
      if (t === last && !delta) s.values[s.times.length - 1] = v;
      else this.counts.outOfOrderSamples++;
      return;
    }
    if (delta) s.total += v;
    else if (!isStaleNaN(v)) s.total = v;
    if (last !== undefined && !s.stale) s.gap = t - last;
    s.stale = isStaleNaN(v);
    push(s, t, delta ? s.total : v);
    if (s.times.length - s.head > this.options.maxSamplesPerSeries) {
      s.head++;
      this.counts.droppedSamples++;
    }
    if (t > this.newest) this.newest = t;
  }

  /**
   * Marks stale, at `now`, every series that has missed three of its usual updates (as a scrape
   * that no longer finds it would), then drops samples older than the retention and series with
   * nothing left. Returns how many series went stale.
   */
  sweep(now: number): number {
    let marked = 0;
    const cutoff = Math.max(now, this.newest) - this.options.retentionMs;
    for (const [key, s] of this.series) {
      const last = s.times[s.times.length - 1] as number;
      if (!s.stale && s.gap > 0 && now - last > MISSED_UPDATES * s.gap) {
        push(s, now, STALE_NAN);
        s.stale = true;
        marked++;
      }
      let head = s.head;
      while (head < s.times.length && (s.times[head] as number) < cutoff) head++;
      if (head === s.times.length) {
        this.series.delete(key);
        this.byName.get(s.labels.__name__ ?? '')?.delete(s);
        continue;
      }
      s.head = head;
      // Cut evicted samples off once they are half the arrays, so eviction stays amortised O(1).
      if (s.head > 32 && s.head * 2 > s.times.length) {
        s.values = s.values.slice(s.head, s.times.length);
        s.times = s.times.slice(s.head);
        s.head = 0;
      }
    }
    return marked;
  }

  *select(matchers: readonly Matcher[], minT: number, maxT: number): Iterable<Series> {
    const named = matchers.find((m) => m.name === '__name__' && m.op === '=');
    const candidates = named ? (this.byName.get(named.value) ?? []) : this.series.values();
    const matches = compileMatchers(matchers);
    for (const s of candidates) {
      if (!matches(s.labels)) continue;
      const points: Point[] = [];
      for (let i = lowerBound(s.times, s.head, minT); i < s.times.length; i++) {
        const t = s.times[i] as number;
        if (t > maxT) break;
        points.push({ t, v: s.values[i] as number });
      }
      if (points.length > 0) yield { labels: s.labels, points };
    }
  }

  stats(): WindowStats {
    let samples = 0;
    for (const s of this.series.values()) samples += s.times.length - s.head;
    return { series: this.series.size, samples, ...this.counts };
  }
}

function push(s: StoredSeries, t: number, v: number): void {
  const n = s.times.length;
  if (n === s.values.length) {
    const grown = new Float64Array(n * 2);
    grown.set(s.values);
    s.values = grown;
  }
  s.times.push(t);
  s.values[n] = v;
}

/** The first index from `from` whose time is >= t. */
function lowerBound(times: readonly number[], from: number, t: number): number {
  let lo = from;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((times[mid] as number) < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
