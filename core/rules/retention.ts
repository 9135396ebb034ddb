import { evaluateDurationMs } from '../promql/index.js';
import type { Duration, Expr } from '../promql/types.js';
import type { RuleGroup } from './types.js';

/** Prometheus's lookback: an instant selector reads samples up to 5 minutes old. */
export const LOOKBACK_MS = 5 * 60_000;

/**
 * How long a window must keep samples for these groups: the furthest back any rule reads (ranges,
 * subquery ranges and offsets, nested ones added up, plus the group's query_offset) plus the
 * lookback. `@` times are absolute and not counted.
 */
export function retentionMs(groups: readonly RuleGroup[], defaultIntervalMs = 60_000): number {
  let furthest = 0;
  for (const group of groups) {
    const step = group.intervalMs ?? defaultIntervalMs;
    for (const rule of group.rules)
      furthest = Math.max(furthest, (group.queryOffsetMs ?? 0) + reach(rule.expr.expr, step));
  }
  return furthest + LOOKBACK_MS;
}

/** How far before the evaluation time `expr` reads, the lookback aside. */
function reach(expr: Expr, step: number): number {
  const ms = (d: Duration | undefined) => (d ? Math.max(0, evaluateDurationMs(d, step, 0)) : 0);
  switch (expr.kind) {
    case 'vector':
      return ms(expr.offset);
    case 'matrix':
      return ms(expr.range) + ms(expr.vector.offset);
    case 'subquery':
      return ms(expr.range) + ms(expr.offset) + reach(expr.expr, step);
    case 'call':
      return Math.max(0, ...expr.args.map((a) => reach(a, step)));
    case 'aggregate':
      return Math.max(reach(expr.expr, step), expr.param ? reach(expr.param, step) : 0);
    case 'binary':
      return Math.max(reach(expr.lhs, step), reach(expr.rhs, step));
    case 'unary':
    case 'paren':
      return reach(expr.expr, step);
    default:
      return 0;
  }
}
