import { evaluateDurationMs } from '../parse/duration.js';
import type { AtModifier, Duration } from '../types.js';
import type { QueryContext } from './context.js';
import { PromqlEvalError } from './errors.js';

/**
 * A duration in ms. Duration expressions (`[5m+1m]`, `[step()*2]`) are folded when the query runs
 * (`step()` is the query's step, `range()` its end minus start); ranges and steps must be positive.
 */
export function durationMs(d: Duration, q: QueryContext, allowNegative: boolean): number {
  let ms: number;
  try {
    ms = evaluateDurationMs(d, q.interval, q.end - q.start);
  } catch (err) {
    throw new PromqlEvalError((err as Error).message);
  }
  if (ms <= 0 && !allowNegative) throw new PromqlEvalError('duration must be greater than 0');
  return ms;
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
