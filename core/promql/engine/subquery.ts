import type { Expr } from '../types.js';
import type { Evaluate, QueryContext } from './context.js';
import { atMs, durationMs, offsetMs } from './durations.js';
import { SeriesBuilder } from './series-builder.js';
import type { StepValue } from './values.js';

type SubqueryExpr = Expr & { kind: 'subquery' };

/**
 * A subquery at step `t`: its expression evaluated at every multiple of its step (absolute times,
 * as Prometheus aligns them) in (ref - range, ref], ref being `t` or the `@` time minus the offset.
 */
export function subqueryAt(e: SubqueryExpr, t: number, q: QueryContext, evaluate: Evaluate): StepValue {
  const step = e.step ? durationMs(e.step, q, false) : q.noStepSubqueryIntervalMs;
  const rangeEnd = (atMs(e.at, q) ?? t) - offsetMs(e.offset, q);
  const rangeStart = rangeEnd - durationMs(e.range, q, false);
  let first = step * Math.trunc(rangeStart / step);
  if (first <= rangeStart) first += step;
  const series = new SeriesBuilder();
  q.subqueryDepth++;
  try {
    for (let ts = first; ts <= rangeEnd; ts += step) series.addStep(ts, innerAt(e, ts, q, evaluate));
  } finally {
    q.subqueryDepth--;
  }
  return { type: 'matrix', series: series.series(), rangeStart, rangeEnd };
}

/** The inner expression at one absolute step, computed once per query (range queries revisit steps). */
function innerAt(e: SubqueryExpr, ts: number, q: QueryContext, evaluate: Evaluate): StepValue {
  let steps = q.subquerySteps.get(e);
  if (!steps) {
    steps = new Map();
    q.subquerySteps.set(e, steps);
  }
  let v = steps.get(ts);
  if (!v) {
    v = evaluate(e.expr, ts, q);
    steps.set(ts, v);
  }
  return v;
}
