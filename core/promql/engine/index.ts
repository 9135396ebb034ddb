import { FUNCTIONS } from '../functions/index.js';
import { labelsKey } from '../labels.js';
import type { Expr, Labels, Point, Queryable, Value } from '../types.js';
import { queryContext } from './context.js';
import { PromqlEvalError } from './errors.js';
import { evaluateAt } from './evaluate.js';
import { DUPLICATE_LABELSET } from './names.js';
import type { EvalOptions } from './options.js';
import { finishMatrix, finishVector } from './results.js';
import type { ElemSeries } from './values.js';

export { PromqlEvalError } from './errors.js';
export type { EvalOptions } from './options.js';

/** The value of `expr` at time `t` (ms), as Prometheus's instant query returns it. */
export function evaluateInstant(expr: Expr, queryable: Queryable, t: number, options: EvalOptions = {}): Value {
  const q = queryContext(expr, queryable, t, t, 0, options);
  const v = evaluateAt(expr, t, q);
  switch (v.type) {
    case 'scalar':
    case 'string':
      return { type: v.type, t, v: v.v } as Value;
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
  const type = staticType(expr);
  if (type !== 'scalar' && type !== 'vector')
    throw new PromqlEvalError(
      `invalid expression type "${type === 'matrix' ? 'range vector' : type}" for range query, must be Scalar or instant Vector`,
    );
  if (!(step > 0))
    throw new PromqlEvalError('zero or negative query resolution step widths are not accepted. Try a positive integer');
  if (end < start) throw new PromqlEvalError('end timestamp must not be before start time');
  const q = queryContext(expr, queryable, start, end, step, options);
  const series = new Map<string, { labels: Labels; points: Point[]; dropName: boolean }>();
  const add = (labels: Labels, t: number, v: number, dropName: boolean) => {
    const key = labelsKey(labels);
    let s = series.get(key);
    if (!s) series.set(key, (s = { labels, points: [], dropName }));
    else if (s.points[s.points.length - 1]?.t === t) throw new PromqlEvalError(DUPLICATE_LABELSET);
    s.points.push({ t, v });
  };
  for (let t = start; t <= end; t += step) {
    const v = evaluateAt(expr, t, q);
    if (v.type === 'scalar') add({}, t, v.v, false);
    else if (v.type === 'vector') for (const s of v.samples) add(s.labels, t, s.v, s.dropName);
  }
  const all: ElemSeries[] = [...series.values()];
  return { type: 'matrix', series: finishMatrix(all, q.delayedNameRemoval) };
}

/** The type an expression evaluates to, as the parser types it. */
function staticType(e: Expr): Value['type'] {
  switch (e.kind) {
    case 'number':
      return 'scalar';
    case 'string':
      return 'string';
    case 'vector':
    case 'aggregate':
      return 'vector';
    case 'matrix':
    case 'subquery':
      return 'matrix';
    case 'paren':
    case 'unary':
      return staticType(e.expr);
    case 'call':
      return FUNCTIONS.get(e.func)?.returnType ?? 'vector';
    case 'binary':
      return staticType(e.lhs) === 'scalar' && staticType(e.rhs) === 'scalar' ? 'scalar' : 'vector';
  }
}
