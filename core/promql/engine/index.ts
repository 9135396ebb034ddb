import { typeOf } from '../parse/check.js';
import type { Expr, Queryable, Value } from '../types.js';
import { queryContext } from './context.js';
import { PromqlEvalError } from './errors.js';
import { evaluateAt } from './evaluate.js';
import type { EvalOptions } from './options.js';
import { finishMatrix, finishVector } from './results.js';
import { SeriesBuilder } from './series-builder.js';
import { addFetchSpans } from './spans.js';

export { PromqlEvalError } from './errors.js';
export type { EvalOptions } from './options.js';

/** The value of `expr` at time `t` (ms), as Prometheus's instant query returns it. */
export function evaluateInstant(
  expr: Expr,
  queryable: Queryable,
  t: number,
  options: EvalOptions = {},
): Value {
  const q = queryContext(queryable, t, t, 0, options);
  addFetchSpans(expr, t, t, q);
  const v = evaluateAt(expr, t, q);
  switch (v.type) {
    case 'scalar':
      return { type: 'scalar', t, v: v.v };
    case 'string':
      return { type: 'string', t, v: v.v };
    case 'vector':
      return { type: 'vector', samples: finishVector(v.samples, t, q.delayedNameRemoval) };
    case 'matrix':
      return { type: 'matrix', series: finishMatrix(v.series, q.delayedNameRemoval) };
  }
}

/**
 * `expr` at every step from `start` to `end` (ms), as Prometheus's range query returns it: a matrix
 * (a scalar expression gives one series with no labels), series sorted by labels.
 */
export function evaluateRange(
  expr: Expr,
  queryable: Queryable,
  start: number,
  end: number,
  step: number,
  options: EvalOptions = {},
): Value {
  const type = typeOf(expr);
  if (type !== 'scalar' && type !== 'vector')
    throw new PromqlEvalError(
      `invalid expression type "${type === 'matrix' ? 'range vector' : type}" for range query, must be Scalar or instant Vector`,
    );
  if (!(step > 0))
    throw new PromqlEvalError(
      'zero or negative query resolution step widths are not accepted. Try a positive integer',
    );
  if (end < start) throw new PromqlEvalError('end timestamp must not be before start time');
  const q = queryContext(queryable, start, end, step, options);
  addFetchSpans(expr, start, end, q);
  const series = new SeriesBuilder();
  for (let t = start; t <= end; t += step) series.addStep(t, evaluateAt(expr, t, q));
  return { type: 'matrix', series: finishMatrix(series.series(), q.delayedNameRemoval) };
}
