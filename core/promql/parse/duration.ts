import type { Duration, DurationExpr } from '../types.js';

/**
 * The value of a duration expression in milliseconds, computed in seconds as Prometheus does
 * (`[2m*2]` is 240s; `^` and `%` work on seconds). `stepMs` is the query step (the rule's interval),
 * `rangeMs` the range of a range query (0 for an instant query). Throws an Error with Prometheus's
 * reason on division or modulo by zero, NaN or an infinite result.
 */
export function evaluateDurationMs(duration: Duration, stepMs: number, rangeMs: number): number {
  if (duration.kind === 'literal') return duration.ms;
  const seconds = evaluateSeconds(duration.expr, stepMs / 1000, rangeMs / 1000);
  if (!Number.isFinite(seconds)) throw new Error('duration is NaN or infinite');
  return Math.trunc(seconds * 1000);
}

function evaluateSeconds(e: DurationExpr, step: number, range: number): number {
  switch (e.kind) {
    case 'number':
      return e.ms / 1000;
    case 'step':
      return step;
    case 'range':
      return range;
    case 'unary':
      return e.op === '-' ? -evaluateSeconds(e.expr, step, range) : evaluateSeconds(e.expr, step, range);
    case 'call': {
      const values = e.args.map((a) => evaluateSeconds(a, step, range));
      return e.name === 'min' ? Math.min(...values) : Math.max(...values);
    }
    case 'binary': {
      const l = evaluateSeconds(e.lhs, step, range);
      const r = evaluateSeconds(e.rhs, step, range);
      switch (e.op) {
        case '+':
          return l + r;
        case '-':
          return l - r;
        case '*':
          return l * r;
        case '/':
          if (r === 0) throw new Error('division by zero');
          return l / r;
        case '%':
          if (r === 0) throw new Error('modulo by zero');
          return l % r;
        case '^':
          return l ** r;
      }
    }
  }
}

/** Whether the expression depends on the query (`step()`, `range()`), so it cannot be folded at parse time. */
export function dependsOnQuery(e: DurationExpr): boolean {
  switch (e.kind) {
    case 'number':
      return false;
    case 'step':
    case 'range':
      return true;
    case 'unary':
      return dependsOnQuery(e.expr);
    case 'binary':
      return dependsOnQuery(e.lhs) || dependsOnQuery(e.rhs);
    case 'call':
      return e.args.some(dependsOnQuery);
  }
}
