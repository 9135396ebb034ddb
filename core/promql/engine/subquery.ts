import { labelsKey } from '../labels.js';
import type { Expr, Labels, Point } from '../types.js';
import type { QueryContext } from './context.js';
import { atMs, durationMs, offsetMs } from './durations.js';
import { PromqlEvalError } from './errors.js';
import { DUPLICATE_LABELSET } from './names.js';
import type { ElemSeries, Evaluate, StepValue } from './values.js';

type SubqueryExpr = Expr & { kind: 'subquery' };

interface Building {
  readonly labels: Labels;
  readonly points: Point[];
  readonly dropName: boolean;
}

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
  const series = new Map<string, Building>();
  const add = (labels: Labels, ts: number, v: number, dropName: boolean) => {
    const key = labelsKey(labels);
    let s = series.get(key);
    if (!s) series.set(key, (s = { labels, points: [], dropName }));
    else if (s.points[s.points.length - 1]?.t === ts) throw new PromqlEvalError(DUPLICATE_LABELSET);
    s.points.push({ t: ts, v });
  };
  for (let ts = first; ts <= rangeEnd; ts += step) {
    const v = innerAt(e, ts, q, evaluate);
    if (v.type === 'scalar') add({}, ts, v.v, false);
    else if (v.type === 'vector') for (const s of v.samples) add(s.labels, ts, s.v, s.dropName);
  }
  const out: ElemSeries[] = [...series.values()];
  return { type: 'matrix', series: out, rangeStart, rangeEnd };
}

/** The inner expression at one absolute step, computed once per query (range queries revisit steps). */
function innerAt(e: SubqueryExpr, ts: number, q: QueryContext, evaluate: Evaluate): StepValue {
  let steps = q.subquerySteps.get(e);
  if (!steps) q.subquerySteps.set(e, (steps = new Map()));
  let v = steps.get(ts);
  if (!v) steps.set(ts, (v = evaluate(e.expr, ts, q)));
  return v;
}
