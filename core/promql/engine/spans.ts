import type { AtModifier, Duration, Expr } from '../types.js';
import type { QueryContext } from './context.js';
import { atMs, durationMs, offsetMs } from './durations.js';

/**
 * Records, for each selector under `e`, the sample times it can read when `e` is evaluated at
 * every time in [from, to]: lookback or range before the reference time, offset and `@` applied,
 * widened by the subqueries above it (Prometheus's FindMinMaxTime, per selector).
 */
export function addFetchSpans(e: Expr, from: number, to: number, q: QueryContext): void {
  switch (e.kind) {
    case 'vector':
    case 'matrix': {
      const vector = e.kind === 'matrix' ? e.vector : e;
      const [refFrom, refTo] = referenceTimes(vector.at, vector.offset, from, to, q);
      const back = e.kind === 'matrix' ? durationMs(e.range, q, false) : q.lookbackDeltaMs;
      widen(e, refFrom - back, refTo, q);
      return;
    }
    case 'subquery': {
      const [refFrom, refTo] = referenceTimes(e.at, e.offset, from, to, q);
      addFetchSpans(e.expr, refFrom - durationMs(e.range, q, false), refTo, q);
      return;
    }
    case 'paren':
    case 'unary':
      addFetchSpans(e.expr, from, to, q);
      return;
    case 'call':
      for (const arg of e.args) addFetchSpans(arg, from, to, q);
      return;
    case 'aggregate':
      addFetchSpans(e.expr, from, to, q);
      if (e.param) addFetchSpans(e.param, from, to, q);
      return;
    case 'binary':
      addFetchSpans(e.lhs, from, to, q);
      addFetchSpans(e.rhs, from, to, q);
      return;
    case 'number':
    case 'string':
      return;
  }
}

function referenceTimes(
  at: AtModifier | undefined,
  offset: Duration | undefined,
  from: number,
  to: number,
  q: QueryContext,
): [number, number] {
  const pinned = atMs(at, q);
  const off = offsetMs(offset, q);
  return pinned === undefined ? [from - off, to - off] : [pinned - off, pinned - off];
}

function widen(e: Expr, minT: number, maxT: number, q: QueryContext): void {
  const span = q.fetchSpans.get(e);
  q.fetchSpans.set(e, span ? [Math.min(span[0], minT), Math.max(span[1], maxT)] : [minT, maxT]);
}
