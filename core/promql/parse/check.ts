import { FUNCTIONS } from '../functions/index.js';
import { compileMatcher } from '../matchers.js';
import type { Expr, ValueType } from '../types.js';
import type { TreeConverter } from './convert.js';

/** The type an expression evaluates to (Prometheus's Expr.Type()). */
export function typeOf(e: Expr): ValueType {
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
    case 'call':
      return FUNCTIONS.get(e.func)?.returnType ?? 'vector';
    case 'binary':
      return typeOf(e.lhs) === 'scalar' && typeOf(e.rhs) === 'scalar' ? 'scalar' : 'vector';
    case 'unary':
    case 'paren':
      return typeOf(e.expr);
  }
}

/** Prometheus's names for types in its messages. */
function documented(t: ValueType): string {
  return t === 'vector' ? 'instant vector' : t === 'matrix' ? 'range vector' : t;
}

const COMPARISON = new Set(['==', '!=', '>', '<', '>=', '<=']);
const SET = new Set(['and', 'or', 'unless']);

/**
 * Type-checks the tree as Prometheus's checkAST does, throwing at the first problem (refused
 * functions included), and returns the checked tree with binary matching dropped where a side is scalar.
 */
export function checkExpr(e: Expr, at: TreeConverter): Expr {
  const expectType = (node: Expr, want: ValueType, context: string) => {
    const got = typeOf(node);
    if (got !== want)
      at.fail(
        'TRB_PROMQL_PARSE',
        `expected type ${documented(want)} in ${context}, got ${documented(got)}`,
        node.span,
      );
  };
  switch (e.kind) {
    case 'number':
    case 'string':
      return e;
    case 'vector':
      if (e.name === undefined && e.matchers.every((m) => compileMatcher(m)({})))
        at.fail('TRB_PROMQL_PARSE', 'vector selector must contain at least one non-empty matcher', e.span);
      return e;
    case 'matrix':
      checkExpr(e.vector, at);
      return e;
    case 'subquery': {
      const inner = checkExpr(e.expr, at);
      const t = typeOf(inner);
      if (t !== 'vector')
        // Prometheus prints the raw type name here (`matrix`), not the documented one.
        at.fail('TRB_PROMQL_PARSE', `subquery is only allowed on instant vector, got ${t} instead`, e.span);
      return { ...e, expr: inner };
    }
    case 'paren':
      return { ...e, expr: checkExpr(e.expr, at) };
    case 'unary': {
      const inner = checkExpr(e.expr, at);
      const t = typeOf(inner);
      if (t !== 'scalar' && t !== 'vector')
        at.fail(
          'TRB_PROMQL_PARSE',
          `unary expression only allowed on expressions of type scalar or instant vector, got "${documented(t)}"`,
          e.span,
        );
      return { ...e, expr: inner };
    }
    case 'aggregate': {
      const expr = checkExpr(e.expr, at);
      const param = e.param && checkExpr(e.param, at);
      expectType(expr, 'vector', 'aggregation expression');
      if (param) expectType(param, e.op === 'count_values' ? 'string' : 'scalar', 'aggregation parameter');
      return { ...e, expr, param };
    }
    case 'call':
      return checkCall(e, at, expectType);
    case 'binary':
      return checkBinary(e, at);
  }
}

function checkCall(
  e: Expr & { kind: 'call' },
  at: TreeConverter,
  expectType: (node: Expr, want: ValueType, context: string) => void,
): Expr {
  const fn = FUNCTIONS.get(e.func);
  if (!fn) return at.fail('TRB_PROMQL_PARSE', `unknown function with name "${e.func}"`, e.span);
  if (fn.experimental)
    at.fail(
      'TRB_PROMQL_UNSUPPORTED',
      `function "${e.func}" ${fn.refusedBecause ?? 'is experimental and not enabled'}`,
      e.span,
    );
  const args = e.args.map((a) => checkExpr(a, at));
  const declared = fn.argTypes.length;
  if (fn.variadic === 0) {
    if (declared !== args.length)
      at.fail(
        'TRB_PROMQL_PARSE',
        `expected ${declared} argument(s) in call to "${e.func}", got ${args.length}`,
        e.span,
      );
  } else {
    const least = declared - 1;
    if (args.length < least)
      at.fail(
        'TRB_PROMQL_PARSE',
        `expected at least ${least} argument(s) in call to "${e.func}", got ${args.length}`,
        e.span,
      );
    if (fn.variadic > 0 && args.length > least + fn.variadic)
      at.fail(
        'TRB_PROMQL_PARSE',
        `expected at most ${least + fn.variadic} argument(s) in call to "${e.func}", got ${args.length}`,
        e.span,
      );
  }
  args.forEach((arg, i) => {
    const want = fn.argTypes[Math.min(i, declared - 1)] as ValueType;
    expectType(arg, want, `call to function "${e.func}"`);
  });
  return { ...e, args };
}

function checkBinary(e: Expr & { kind: 'binary' }, at: TreeConverter): Expr {
  const lhs = checkExpr(e.lhs, at);
  const rhs = checkExpr(e.rhs, at);
  const lt = typeOf(lhs);
  const rt = typeOf(rhs);
  const opSpan = at.between(lhs.span, rhs.span);
  if (e.returnBool && !COMPARISON.has(e.op))
    at.fail('TRB_PROMQL_PARSE', 'bool modifier can only be used on comparison operators', opSpan);
  if (COMPARISON.has(e.op) && !e.returnBool && lt === 'scalar' && rt === 'scalar')
    at.fail('TRB_PROMQL_PARSE', 'comparisons between scalars must use BOOL modifier', opSpan);
  const matching = e.matching;
  if (matching?.on)
    for (const label of matching.include)
      if (matching.labels.includes(label))
        at.fail('TRB_PROMQL_PARSE', `label "${label}" must not occur in ON and GROUP clause at once`, opSpan);
  if (lt !== 'scalar' && lt !== 'vector')
    at.fail(
      'TRB_PROMQL_PARSE',
      'binary expression must contain only scalar and instant vector types',
      lhs.span,
    );
  if (rt !== 'scalar' && rt !== 'vector')
    at.fail(
      'TRB_PROMQL_PARSE',
      'binary expression must contain only scalar and instant vector types',
      rhs.span,
    );
  const bothVectors = lt === 'vector' && rt === 'vector';
  if (!bothVectors) {
    if (matching && matching.labels.length > 0)
      at.fail('TRB_PROMQL_PARSE', 'vector matching only allowed between instant vectors', e.span);
    if (SET.has(e.op))
      at.fail('TRB_PROMQL_PARSE', `set operator "${e.op}" not allowed in binary scalar expression`, e.span);
    return { ...e, lhs, rhs, matching: undefined };
  }
  if (SET.has(e.op) && (matching?.card === 'many-to-one' || matching?.card === 'one-to-many'))
    at.fail('TRB_PROMQL_PARSE', `no grouping allowed for "${e.op}" operation`, e.span);
  return { ...e, lhs, rhs };
}
