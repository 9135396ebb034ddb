import type { AtModifier, Duration, DurationExpr } from '../types.js';
import type { QueryContext } from './context.js';
import { goPow } from './arith.js';
import { PromqlEvalError } from './errors.js';

/**
 * A duration in ms. Duration expressions (`[5m+1m]`, `[step()*2]`) are folded when the query runs,
 * in seconds as Prometheus does, then truncated to whole ms; ranges and steps must be positive.
 */
export function durationMs(d: Duration, q: QueryContext, allowNegative: boolean): number {
  if (d.kind === 'literal') return d.ms;
  const seconds = fold(d.expr, q);
  if (!Number.isFinite(seconds)) throw new PromqlEvalError('duration is NaN or infinite');
  if (seconds <= 0 && !allowNegative) throw new PromqlEvalError('duration must be greater than 0');
  return Math.trunc(seconds * 1000);
}

export function offsetMs(d: Duration | undefined, q: QueryContext): number {
  return d ? durationMs(d, q, true) : 0;
}

/** The time an `@` modifier pins a selector or subquery to, else undefined. */
export function atMs(at: AtModifier | undefined, q: QueryContext): number | undefined {
  if (!at) return undefined;
  if (at.kind === 'start') return q.start;
  if (at.kind === 'end') return q.end;
  return at.ms;
}

function fold(e: DurationExpr, q: QueryContext): number {
  switch (e.kind) {
    case 'number':
      return e.ms / 1000;
    case 'step':
      return q.interval / 1000;
    case 'range':
      return (q.end - q.start) / 1000;
    case 'unary':
      return e.op === '-' ? -fold(e.expr, q) : fold(e.expr, q);
    case 'call': {
      const [a, b] = e.args.map((arg) => fold(arg, q));
      return e.name === 'min' ? Math.min(a ?? Number.NaN, b ?? Number.NaN) : Math.max(a ?? Number.NaN, b ?? Number.NaN);
    }
    case 'binary': {
      const lhs = fold(e.lhs, q);
      const rhs = fold(e.rhs, q);
      switch (e.op) {
        case '+':
          return lhs + rhs;
        case '-':
          return lhs - rhs;
        case '*':
          return lhs * rhs;
        case '/':
          if (rhs === 0) throw new PromqlEvalError('division by zero');
          return lhs / rhs;
        case '%':
          if (rhs === 0) throw new PromqlEvalError('modulo by zero');
          return lhs % rhs;
        case '^':
          return goPow(lhs, rhs);
      }
    }
  }
}
