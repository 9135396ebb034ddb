import type { Duration, DurationExpr } from '../types.js';
import { dependsOnQuery, evaluateDurationMs } from './duration.js';
import { parseDurationMs, parseNumber } from './literals.js';
import { children, describe, type SyntaxNode, type SyntaxReader } from './tree.js';

/** Nanoseconds in an int64, as seconds: Prometheus's bound on a duration. */
const MAX_SECONDS = 2 ** 63 / 1e9;

const DURATION_OPS: Readonly<Record<string, '+' | '-' | '*' | '/' | '%' | '^'>> = {
  Add: '+',
  Sub: '-',
  Mul: '*',
  Div: '/',
  Mod: '%',
  Pow: '^',
};

/** A range, step or offset: folded to a literal unless it depends on the query (`step()`, `range()`). */
export function durationOf(reader: SyntaxReader, n: SyntaxNode, allowNegative: boolean): Duration {
  const expr = durationExpr(reader, n);
  if (expr.kind === 'number') {
    // A literal keeps its exact milliseconds; an expression is computed in seconds (so `[1001ms]`
    // is 1001ms, while Prometheus truncates `[1001ms+0]` to 1000ms, as here).
    if (!allowNegative && expr.ms <= 0) reader.fail('TRB_PROMQL_PARSE', 'duration must be greater than 0', n);
    return { kind: 'literal', ms: expr.ms };
  }
  if (dependsOnQuery(expr)) return { kind: 'expr', expr };
  let ms: number;
  try {
    ms = evaluateDurationMs({ kind: 'expr', expr }, 0, 0);
  } catch (err) {
    return reader.fail('TRB_PROMQL_PARSE', (err as Error).message, n);
  }
  if (ms <= 0 && !allowNegative) reader.fail('TRB_PROMQL_PARSE', 'duration must be greater than 0', n);
  if (Math.abs(ms) / 1000 > MAX_SECONDS) reader.fail('TRB_PROMQL_PARSE', 'duration out of range', n);
  return { kind: 'literal', ms };
}

function durationExpr(reader: SyntaxReader, n: SyntaxNode): DurationExpr {
  const kids = children(n);
  switch (n.name) {
    case 'NumberDurationLiteralInDurationContext': {
      const text = reader.textOf(n);
      const ms = parseDurationMs(text) ?? (parseNumber(text) ?? Number.NaN) * 1000;
      if (Math.abs(ms) / 1000 > MAX_SECONDS) reader.fail('TRB_PROMQL_PARSE', 'duration out of range', n);
      if (Number.isNaN(ms) || !Number.isFinite(ms))
        reader.fail('TRB_PROMQL_PARSE', 'duration is NaN or infinite', n);
      return { kind: 'number', ms: Math.round(ms) };
    }
    case 'DurationExpr':
    case 'OffsetDurationExpr':
      if (kids.length === 1) return durationExpr(reader, kids[0] as SyntaxNode);
      break;
    case 'DurationStep':
      return { kind: 'step' };
    case 'DurationRange':
      return { kind: 'range' };
  }
  const first = kids[0] as SyntaxNode;
  if (first.name === 'UnaryOp')
    return {
      kind: 'unary',
      op: reader.textOf(first) as '-' | '+',
      expr: durationExpr(reader, kids[1] as SyntaxNode),
    };
  if (first.name === 'DurationStep') return { kind: 'step' };
  if (first.name === 'DurationRange') return { kind: 'range' };
  if (first.name === 'DurationMinOf' || first.name === 'DurationMaxOf')
    return {
      kind: 'call',
      name: first.name === 'DurationMinOf' ? 'min' : 'max',
      args: kids.slice(1).map((k) => durationExpr(reader, k)),
    };
  if (kids.length === 3) {
    const op = DURATION_OPS[(kids[1] as SyntaxNode).name] as '+' | '-' | '*' | '/' | '%' | '^';
    return {
      kind: 'binary',
      op,
      lhs: durationExpr(reader, first),
      rhs: durationExpr(reader, kids[2] as SyntaxNode),
    };
  }
  return reader.fail('TRB_PROMQL_PARSE', `unexpected ${describe(reader.textOf(n))} in duration`, n);
}
