import type { Expr } from '../types.js';
import { aggregateAt } from './aggregate.js';
import { binaryAt } from './binary.js';
import { callAt } from './call.js';
import type { QueryContext } from './context.js';
import { PromqlEvalError } from './errors.js';
import { assertUniqueLabelsets, changed, namesDiffer } from './names.js';
import { selectInstant, selectRange } from './selectors.js';
import { subqueryAt } from './subquery.js';
import type { StepValue } from './values.js';

/** The value of `e` at evaluation time `t` (ms). */
export function evaluateAt(e: Expr, t: number, q: QueryContext): StepValue {
  switch (e.kind) {
    case 'number':
      return { type: 'scalar', v: e.value };
    case 'string':
      return { type: 'string', v: e.value };
    case 'paren':
      return evaluateAt(e.expr, t, q);
    case 'vector':
      return { type: 'vector', samples: selectInstant(e, t, q) };
    case 'matrix':
      return selectRange(e, t, q);
    case 'subquery':
      return subqueryAt(e, t, q, evaluateAt);
    case 'call':
      return callAt(e, t, q, evaluateAt);
    case 'binary':
      return binaryAt(e, evaluateAt(e.lhs, t, q), evaluateAt(e.rhs, t, q), t, q);
    case 'aggregate': {
      const param = e.param ? evaluateAt(e.param, t, q) : undefined;
      return { type: 'vector', samples: aggregateAt(e, vectorOf(evaluateAt(e.expr, t, q)), param, t) };
    }
    case 'unary': {
      const v = evaluateAt(e.expr, t, q);
      if (e.op === '+') return v;
      if (v.type === 'scalar') return { type: 'scalar', v: -v.v };
      const input = vectorOf(v);
      const samples = input.map((s) => changed(s, -s.v, t, q.delayedNameRemoval));
      if (!q.delayedNameRemoval && namesDiffer(input)) assertUniqueLabelsets(samples);
      return { type: 'vector', samples };
    }
  }
}

function vectorOf(v: StepValue) {
  if (v.type !== 'vector') throw new PromqlEvalError(`expected an instant vector, got ${v.type}`);
  return v.samples;
}
