import type { Expr, Labels } from '../types.js';
import { matrixArg, vectorArg } from './arguments.js';
import type { Calls } from './call.js';

/**
 * The labels of absent()'s result: those its selector pins with one `=` matcher (a label matched twice,
 * or by another operator, is left out, as Prometheus does); none for any other expression.
 */
export function absentLabels(expr: Expr | undefined): Labels {
  const selector = expr?.kind === 'vector' ? expr : expr?.kind === 'matrix' ? expr.vector : undefined;
  if (!selector) return {};
  const labels: Record<string, string> = {};
  const seen = new Set<string>();
  for (const m of selector.matchers) {
    if (m.name === '__name__') continue;
    if (m.op === '=' && !seen.has(m.name)) {
      labels[m.name] = m.value;
      seen.add(m.name);
    } else {
      delete labels[m.name];
    }
  }
  return labels;
}

export const ABSENT: Calls = {
  absent: (args, ctx) =>
    vectorArg(args, 0).length > 0 ? [] : [{ labels: absentLabels(ctx.args[0]), t: ctx.t, v: 1 }],
  absent_over_time: (args, ctx) =>
    matrixArg(args, 0).some((s) => s.points.length > 0)
      ? []
      : [{ labels: absentLabels(ctx.args[0]), t: ctx.t, v: 1 }],
};
