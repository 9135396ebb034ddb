import { isStaleNaN } from '../stale.js';
import type { Expr, Point, Series } from '../types.js';
import type { QueryContext } from './context.js';
import { atMs, durationMs, offsetMs } from './durations.js';
import { inLabelOrder } from './label-order.js';
import type { Elem, ElemSeries, StepValue } from './values.js';

type VectorSelector = Expr & { kind: 'vector' };
type MatrixSelector = Expr & { kind: 'matrix' };

/** The last instant vector taken from a storage answer, and what it was taken at. */
interface InstantTaken {
  readonly ref: number;
  readonly lookbackDeltaMs: number;
  readonly t: number;
  readonly keepSampleTime: boolean;
  readonly samples: readonly Elem[];
}

/** The last range vector taken from a storage answer, and its window. */
interface RangeTaken {
  readonly rangeStart: number;
  readonly rangeEnd: number;
  readonly series: readonly ElemSeries[];
}

/**
 * By storage answer (sorted): rules of one cycle that share a selector and time get one answer from
 * the alert rules' window, so the samples are picked out of it once. Values are never mutated.
 */
const instantsTaken = new WeakMap<readonly Series[], InstantTaken>();
const rangesTaken = new WeakMap<readonly Series[], RangeTaken>();

/** One series' window, as last taken from it. */
interface WindowTaken {
  readonly rangeStart: number;
  readonly rangeEnd: number;
  readonly series: ElemSeries | undefined;
}

/**
 * By storage series: selectors written differently (`x{a="1"}`, `x{b!="2"}`) get the same Series of
 * the window for a series both read over one span, so its window is cut once (instant queries only:
 * a range query or subquery moves the window every step).
 */
const windowsTaken = new WeakMap<Series, WindowTaken>();

/**
 * An instant selector at step `t`: each series' latest sample in (ref - lookback, ref], where ref
 * is `t` (or the `@` time) minus the offset; a staleness marker there means no sample. The sample
 * carries the step time, or its own time when `keepSampleTime` (timestamp() reads it).
 */
export function selectInstant(
  e: VectorSelector,
  t: number,
  q: QueryContext,
  keepSampleTime = false,
): readonly Elem[] {
  const ref = (atMs(e.at, q) ?? t) - offsetMs(e.offset, q);
  const { lookbackDeltaMs } = q;
  const fetched = fetch(e, q);
  const last = instantsTaken.get(fetched);
  if (
    last &&
    last.ref === ref &&
    last.t === t &&
    last.lookbackDeltaMs === lookbackDeltaMs &&
    last.keepSampleTime === keepSampleTime
  )
    return last.samples;
  const samples: Elem[] = [];
  for (const s of fetched) {
    const i = lastAtOrBefore(s.points, ref);
    const p = s.points[i];
    if (!p || p.t <= ref - lookbackDeltaMs || isStaleNaN(p.v)) continue;
    samples.push({ labels: s.labels, t: keepSampleTime ? p.t : t, v: p.v, dropName: false });
  }
  instantsTaken.set(fetched, { ref, lookbackDeltaMs, t, keepSampleTime, samples });
  return samples;
}

/** A range selector at step `t`: each series' samples in (ref - range, ref], staleness markers left out. */
export function selectRange(e: MatrixSelector, t: number, q: QueryContext): StepValue & { type: 'matrix' } {
  const rangeEnd = (atMs(e.vector.at, q) ?? t) - offsetMs(e.vector.offset, q);
  const rangeStart = rangeEnd - durationMs(e.range, q, false);
  const fetched = fetch(e, q);
  const last = rangesTaken.get(fetched);
  if (last && last.rangeStart === rangeStart && last.rangeEnd === rangeEnd)
    return { type: 'matrix', series: last.series, rangeStart, rangeEnd };
  const shared = q.interval === 0 && q.subqueryDepth === 0;
  const series: ElemSeries[] = [];
  for (const s of fetched) {
    const taken = shared ? sharedWindow(s, rangeStart, rangeEnd) : windowOf(s, rangeStart, rangeEnd);
    if (taken) series.push(taken);
  }
  rangesTaken.set(fetched, { rangeStart, rangeEnd, series });
  return { type: 'matrix', series, rangeStart, rangeEnd };
}

function sharedWindow(s: Series, rangeStart: number, rangeEnd: number): ElemSeries | undefined {
  const last = windowsTaken.get(s);
  if (last && last.rangeStart === rangeStart && last.rangeEnd === rangeEnd) return last.series;
  const series = windowOf(s, rangeStart, rangeEnd);
  windowsTaken.set(s, { rangeStart, rangeEnd, series });
  return series;
}

/** The points of `s` in (rangeStart, rangeEnd] but staleness markers; undefined when none. */
function windowOf(s: Series, rangeStart: number, rangeEnd: number): ElemSeries | undefined {
  const from = lastAtOrBefore(s.points, rangeStart) + 1;
  const to = lastAtOrBefore(s.points, rangeEnd) + 1;
  if (to <= from) return undefined;
  let points = from === 0 && to === s.points.length ? s.points : s.points.slice(from, to);
  if (hasStaleMarker(points)) points = points.filter((p) => !isStaleNaN(p.v));
  return points.length > 0 ? { labels: s.labels, points, dropName: false } : undefined;
}

function hasStaleMarker(points: readonly Point[]): boolean {
  for (const p of points) if (Number.isNaN(p.v) && isStaleNaN(p.v)) return true;
  return false;
}

/** The index of the last point at or before `t`; -1 when there is none. */
function lastAtOrBefore(points: readonly Point[], t: number): number {
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((points[mid] as Point).t <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** The selector's series over every time the query reads it at (see spans.ts), fetched once per query. */
function fetch(e: VectorSelector | MatrixSelector, q: QueryContext): readonly Series[] {
  let series = q.fetched.get(e);
  if (!series) {
    const [minT, maxT] = q.fetchSpans.get(e) ?? [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY];
    const vector = e.kind === 'matrix' ? e.vector : e;
    const answer = q.queryable.select(vector.matchers, minT, maxT);
    series = inLabelOrder(e, Array.isArray(answer) ? answer : [...answer]);
    q.fetched.set(e, series);
  }
  return series;
}
