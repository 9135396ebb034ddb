import { labelsKey } from '../promql/labels.js';
import { compileMatchers } from '../promql/matchers.js';
import { isStaleNaN, STALE_NAN } from '../promql/stale.js';
import type { Labels, Matcher, Point, Series } from '../promql/types.js';
import { SelectionCache } from './selections.js';
import type { RuleStorage } from './types.js';

export interface WindowOptions {
  /** Samples older than this (before the newest time seen) are dropped: see retentionMs(). */
  retentionMs: number;
  /** New series beyond this many are refused and counted. */
  maxSeries: number;
  /** The most samples one series keeps; the oldest go first, counted. */
  maxSamplesPerSeries: number;
  /**
   * A series is never marked stale sooner than this after its last sample (the evaluation
   * interval: a series that frequent senders miss for a moment is still there when rules look).
   */
  minStaleAfterMs?: number;
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

/** The series of one metric name, and the stamp of their last change. */
interface NameBucket {
  readonly series: Set<StoredSeries>;
  stamp: number;
}

interface StoredSeries {
  readonly labels: Labels;
  readonly bucket: NameBucket;
  /**
   * Oldest first, made once when appended and handed out as they are: a select copies references,
   * not samples. Objects, not a double array: V8 canonicalises NaNs there, staleness markers need
   * their bits.
   */
  points: Point[];
  /** Index of the oldest sample still held: evicted ones are cut off in bulk. */
  head: number;
  /** Bumped by every change to its samples. */
  version: number;
  /**
   * The last span of it a select handed out: selectors of a cycle that read this series over the
   * same span share one Series, and the evaluator's work on it.
   */
  handedOut:
    | { readonly from: number; readonly to: number; readonly version: number; readonly series: Series }
    | undefined;
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
  private readonly byName = new Map<string, NameBucket>();
  /** Bumped by every change; a name's bucket takes the new value when one of its series changes. */
  private stamp = 0;
  private readonly selections: SelectionCache;
  private newest = Number.NEGATIVE_INFINITY;
  /** Keys of label sets seen: a series fed the same labels object each time is keyed once. */
  private readonly keys = new WeakMap<Labels, string>();
  private readonly counts = { refusedSamples: 0, outOfOrderSamples: 0, droppedSamples: 0 };

  private readonly minStaleAfterMs: number;

  constructor(private readonly options: WindowOptions) {
    this.minStaleAfterMs = options.minStaleAfterMs ?? 0;
    this.selections = new SelectionCache(options.maxSeries);
  }

  /** Adds a sample; `delta` adds `v` to the series' running total (a delta sum). */
  append(labels: Labels, t: number, v: number, delta = false): void {
    let key = this.keys.get(labels);
    if (key === undefined) {
      key = labelsKey(labels);
      this.keys.set(labels, key);
    }
    let s = this.series.get(key);
    if (!s) {
      if (this.series.size >= this.options.maxSeries) {
        this.counts.refusedSamples++;
        return;
      }
      const name = labels.__name__ ?? '';
      let bucket = this.byName.get(name);
      if (!bucket) {
        bucket = { series: new Set(), stamp: 0 };
        this.byName.set(name, bucket);
      }
      s = {
        labels,
        bucket,
        points: [],
        head: 0,
        version: 0,
        handedOut: undefined,
        total: 0,
        gap: 0,
        stale: false,
      };
      this.series.set(key, s);
      bucket.series.add(s);
    }
    const newest = s.points.length > s.head ? s.points[s.points.length - 1] : undefined;
    const last = newest?.t;
    if (newest && last !== undefined && t <= last) {
      if (t === last && !delta) {
        s.points[s.points.length - 1] = { t, v };
        this.changed(s);
      } else this.counts.outOfOrderSamples++;
      return;
    }
    if (delta) s.total += v;
    else if (!isStaleNaN(v)) s.total = v;
    if (last !== undefined && !s.stale) s.gap = t - last;
    s.stale = isStaleNaN(v);
    s.points.push({ t, v: delta ? s.total : v });
    if (s.points.length - s.head > this.options.maxSamplesPerSeries) {
      s.head++;
      this.counts.droppedSamples++;
    }
    if (t > this.newest) this.newest = t;
    this.changed(s);
  }

  private changed(s: StoredSeries): void {
    s.version++;
    this.stamp++;
    s.bucket.stamp = this.stamp;
  }

  /**
   * Marks stale, at `now`, every series that has missed three of its usual updates and
   * minStaleAfterMs (as a scrape that no longer finds it would), then drops samples older than the retention and series with
   * nothing left. Returns how many series went stale.
   */
  sweep(now: number): number {
    let marked = 0;
    const cutoff = Math.max(now, this.newest) - this.options.retentionMs;
    for (const [key, s] of this.series) {
      const last = (s.points[s.points.length - 1] as Point).t;
      if (!s.stale && s.gap > 0 && now - last > Math.max(MISSED_UPDATES * s.gap, this.minStaleAfterMs)) {
        s.points.push({ t: now, v: STALE_NAN });
        s.stale = true;
        marked++;
        this.changed(s);
      }
      const head = firstAtOrAfter(s.points, s.head, cutoff);
      if (head === s.points.length) {
        this.series.delete(key);
        s.bucket.series.delete(s);
        this.changed(s);
        continue;
      }
      if (head !== s.head) this.changed(s);
      s.head = head;
      // Cut evicted samples off once they are half the arrays, so eviction stays amortised O(1).
      if (s.head > 32 && s.head * 2 > s.points.length) {
        s.points = s.points.slice(s.head);
        s.head = 0;
        this.changed(s);
      }
    }
    return marked;
  }

  /**
   * The series matching `matchers` with their samples in [minT, maxT]. The same array comes back
   * while none of the series the selector can read changed (see SelectionCache); never mutate it.
   */
  select(matchers: readonly Matcher[], minT: number, maxT: number): readonly Series[] {
    const named = matchers.find((m) => m.name === '__name__' && m.op === '=');
    const bucket = named ? this.byName.get(named.value) : undefined;
    // A selector without a name, or naming no series yet, can read whatever changes next.
    const stamp = bucket ? bucket.stamp : this.stamp;
    return this.selections.get(matchers, minT, maxT, stamp, () => {
      const candidates = named ? (bucket?.series ?? []) : this.series.values();
      const matches = compileMatchers(matchers);
      const out: Series[] = [];
      for (const s of candidates) {
        if (!matches(s.labels)) continue;
        const from = firstAtOrAfter(s.points, s.head, minT);
        const to = firstAtOrAfter(s.points, from, maxT, true);
        if (to > from) out.push(handOut(s, from, to));
      }
      return out;
    });
  }

  stats(): WindowStats {
    let samples = 0;
    for (const s of this.series.values()) samples += s.points.length - s.head;
    return { series: this.series.size, samples, ...this.counts };
  }
}

/** Samples [from, to) of `s` as a Series: the one handed out last while the same and unchanged. */
function handOut(s: StoredSeries, from: number, to: number): Series {
  const last = s.handedOut;
  if (last && last.from === from && last.to === to && last.version === s.version) return last.series;
  const series = { labels: s.labels, points: s.points.slice(from, to) };
  s.handedOut = { from, to, version: s.version, series };
  return series;
}

/** The first index from `from` whose time is >= t (> t when `after`), by bisection. */
function firstAtOrAfter(points: readonly Point[], from: number, t: number, after = false): number {
  let lo = from;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const at = (points[mid] as Point).t;
    if (at < t || (after && at === t)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
