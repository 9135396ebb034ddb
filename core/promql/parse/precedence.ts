import type { BinaryOp, Expr } from '../types.js';

type Binary = Expr & { kind: 'binary' };

/** Prometheus's operator precedence, loosest first (generated_parser.y); `^` is right-associative. */
const PRECEDENCE: Readonly<Record<BinaryOp, number>> = {
  or: 1,
  and: 2,
  unless: 2,
  '==': 3,
  '!=': 3,
  '>': 3,
  '<': 3,
  '>=': 3,
  '<=': 3,
  '+': 4,
  '-': 4,
  '*': 5,
  '/': 5,
  '%': 5,
  atan2: 5,
  '^': 6,
};
/** A sign binds like `*`: `-a * b` is `(-a) * b`, `-a ^ b` is `-(a ^ b)`. */
const SIGN = 5;

/**
 * The binary expression grouped as Prometheus groups it. lezer-promql takes `offset`, `@` and `[...]`
 * (and a sign on a number) around everything before them, so once they are moved onto their operand
 * an unparenthesised operand can be looser than its operator: `x - y offset 1m * 3` arrives as
 * `(x - y') * 3` and becomes `x - (y' * 3)`. Operands that already respect precedence are kept.
 */
export function grouped(e: Binary): Expr {
  const p = PRECEDENCE[e.op];
  const { lhs, rhs } = e;
  if (lhs.kind === 'binary' && (PRECEDENCE[lhs.op] < p || (PRECEDENCE[lhs.op] === p && e.op === '^'))) {
    const inner = grouped({ ...e, lhs: lhs.rhs, span: { start: lhs.rhs.span.start, end: e.span.end } });
    return { ...lhs, rhs: inner, span: { start: lhs.span.start, end: e.span.end } };
  }
  if (lhs.kind === 'unary' && SIGN < p) {
    const inner = grouped({ ...e, lhs: lhs.expr, span: { start: lhs.expr.span.start, end: e.span.end } });
    return { ...lhs, expr: inner, span: { start: lhs.span.start, end: e.span.end } };
  }
  if (rhs.kind === 'binary' && (PRECEDENCE[rhs.op] < p || (PRECEDENCE[rhs.op] === p && e.op !== '^'))) {
    const inner = grouped({ ...e, rhs: rhs.lhs, span: { start: e.span.start, end: rhs.lhs.span.end } });
    return { ...rhs, lhs: inner, span: { start: e.span.start, end: rhs.span.end } };
  }
  return e;
}
