import { isStaleNaN } from '../stale.js';
import type { Expr, Point, Series } from '../types.js';
import type { QueryContext } from './context.js';
import { atMs, durationMs, offsetMs } from './durations.js';
import { inLabelOrder } from './label-order.js';
import type { Elem, ElemSeries, StepValue } from './values.js';

type VectorSelector = Expr & { kind: 'vector' };
type MatrixSelector = Expr & { kind: 'matrix' };

/**
 * An instant selector at step `t`: each series' latest sample in (ref - lookback, ref], where ref
 * is `t` (or the `@` time) minus the offset; a staleness marker there means no sample. The sample
 * carries the step time, or its own time when `keepSampleTime` (timestamp() reads it).
 */
export function selectInstant(e: VectorSelector, t: number, q: QueryContext, keepSampleTime = false): Elem[] {
  const ref = (atMs(e.at, q) ?? t) - offsetMs(e.offset, q);
  const out: Elem[] = [];
  for (const s of fetch(e, q)) {
    const i = lastAtOrBefore(s.points, ref);
    const p = s.points[i];
    if (!p || p.t <= ref - q.lookbackDeltaMs || isStaleNaN(p.v)) continue;
    out.push({ labels: s.labels, t: keepSampleTime ? p.t : t, v: p.v, dropName: false });
  }
  return out;
}

/** A range selector at step `t`: each series' samples in (ref - range, ref], staleness markers left out. */
export function selectRange(e: MatrixSelector, t: number, q: QueryContext): StepValue & { type: 'matrix' } {
  const rangeEnd = (atMs(e.vector.at, q) ?? t) - offsetMs(e.vector.offset, q);
  const rangeStart = rangeEnd - durationMs(e.range, q, false);
  const series: ElemSeries[] = [];
  for (const s of fetch(e, q)) {
    const from = lastAtOrBefore(s.points, rangeStart) + 1;
    const to = lastAtOrBefore(s.points, rangeEnd) + 1;
    if (to <= from) continue;
    let points = s.points.slice(from, to);
    if (hasStaleMarker(points)) points = points.filter((p) => !isStaleNaN(p.v));
    if (points.length > 0) series.push({ labels: s.labels, points, dropName: false });
  }
  return { type: 'matrix', series, rangeStart, rangeEnd };
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
    series = inLabelOrder(e, [...q.queryable.select(vector.matchers, minT, maxT)]);
    q.fetched.set(e, series);
  }
  return series;
}
