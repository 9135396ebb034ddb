import type { Expr, Queryable, Value } from '../types.js';
import type { EvalOptions } from './options.js';

export { PromqlEvalError } from './errors.js';
export type { EvalOptions } from './options.js';

/** The value of `expr` at time `t` (ms), as Prometheus's instant query returns it. */
export function evaluateInstant(
  expr: Expr,
  queryable: Queryable,
  t: number,
  options: EvalOptions = {},
): Value {
  void expr;
  void queryable;
  void t;
  void options;
  throw new Error('evaluateInstant: not implemented yet');
}

/** `expr` at every step from `start` to `end` (ms): a matrix, as Prometheus's range query returns it. */
export function evaluateRange(
  expr: Expr,
  queryable: Queryable,
  start: number,
  end: number,
  step: number,
  options: EvalOptions = {},
): Value {
  void expr;
  void queryable;
  void start;
  void end;
  void step;
  void options;
  throw new Error('evaluateRange: not implemented yet');
}
