import { goFloatError } from '../functions/go-float.js';
import { compileRegex } from '../matchers.js';
import { Re2Error } from '../re2.js';
import type {
  AggregateOp,
  AtModifier,
  BinaryOp,
  Duration,
  Expr,
  Matcher,
  MatchOp,
  Span,
  VectorMatching,
} from '../types.js';
import { durationOf } from './duration-syntax.js';
import { type PromqlErrorCode, PromqlParseError } from './error.js';
import { parseNumber, unquoteString } from './literals.js';
import { grouped } from './precedence.js';
import { children, describe, type SyntaxNode, type SyntaxReader } from './tree.js';

type VectorExpr = Expr & { kind: 'vector' };

const BINARY_OPS: Readonly<Record<string, BinaryOp>> = {
  Pow: '^',
  Mul: '*',
  Div: '/',
  Mod: '%',
  Atan2: 'atan2',
  Add: '+',
  Sub: '-',
  Eql: '==',
  Neq: '!=',
  Gtr: '>',
  Lss: '<',
  Gte: '>=',
  Lte: '<=',
  And: 'and',
  Or: 'or',
  Unless: 'unless',
};

const MATCH_OPS: Readonly<Record<string, MatchOp>> = {
  EqlSingle: '=',
  Neq: '!=',
  EqlRegex: '=~',
  NeqRegex: '!~',
};

/** Blanks and `# comments` (each to the end of its line, so matching never backtracks into one), as the lexer skips them. */
const BLANKS = /(?:\s|#[^\n]*(?![^\n]))+/g;
const LEADING_BLANKS = /^(?:\s|#[^\n]*(?![^\n]))*/;

/** Aggregations that take a parameter before the vector. */
const WITH_PARAM = new Set<AggregateOp>([
  'topk',
  'bottomk',
  'quantile',
  'count_values',
  'limitk',
  'limit_ratio',
]);
/** Behind --enable-feature=promql-experimental-functions in Prometheus 3.14. */
const EXPERIMENTAL_AGGREGATIONS = new Set<AggregateOp>(['limitk', 'limit_ratio']);

interface Modifiers {
  offset: Duration;
  at: AtModifier;
}
/** How Prometheus names each modifier, and its message when one is set twice. */
const MODIFIER_WORDS: Readonly<Record<keyof Modifiers, readonly [string, string]>> = {
  offset: ['offset', 'offset may not be set multiple times'],
  at: ['@', '@ <timestamp> may not be set multiple times'],
};

/** Turns lezer-promql's syntax tree into the Expr of core/promql/types.ts, refusing what Prometheus refuses. */
export class TreeConverter implements SyntaxReader {
  constructor(private readonly text: string) {}

  fail(code: PromqlErrorCode, detail: string, at: Span | SyntaxNode, hint?: string): never {
    const span = 'from' in at ? { start: at.from, end: at.to } : { start: at.start, end: at.end };
    throw new PromqlParseError(code, detail, span, this.text, hint);
  }

  /** The text between two spans without its surrounding blanks and comments: where Prometheus points for an operator. */
  between(left: Span, right: Span): Span {
    // Comments blanked out keep every offset.
    const gap = this.text.slice(left.end, right.start).replace(/#[^\n]*/g, (c) => ' '.repeat(c.length));
    let start = 0;
    let end = gap.length;
    while (start < end && /\s/.test(gap[start] ?? '')) start++;
    while (end > start && /\s/.test(gap[end - 1] ?? '')) end--;
    return { start: left.end + start, end: left.end + end };
  }

  textOf(n: SyntaxNode): string {
    return this.text.slice(n.from, n.to);
  }

  expr(n: SyntaxNode): Expr {
    const span = { start: n.from, end: n.to };
    const kids = children(n);
    switch (n.name) {
      case 'NumberDurationLiteral':
        return { kind: 'number', value: this.number(n), span };
      case 'StringLiteral':
        return { kind: 'string', value: this.string(n), span };
      case 'VectorSelector':
        return this.vectorSelector(n, kids);
      case 'MatrixSelector': {
        const range = durationOf(this, kids[1] as SyntaxNode, false);
        return this.postfix(kids[0] as SyntaxNode, n.to, (operand, at) => this.matrix(operand, range, at));
      }
      case 'SubqueryExpr': {
        const range = durationOf(this, kids[1] as SyntaxNode, false);
        const step = kids[2] ? durationOf(this, kids[2], false) : undefined;
        return this.postfix(kids[0] as SyntaxNode, n.to, (operand, at) => ({
          kind: 'subquery',
          expr: operand,
          range,
          step,
          offset: undefined,
          at: undefined,
          span: at,
        }));
      }
      case 'OffsetExpr': {
        const offset = durationOf(this, kids[2] as SyntaxNode, true);
        return this.postfix(kids[0] as SyntaxNode, n.to, (operand, at) =>
          this.withModifier(operand, 'offset', offset, at),
        );
      }
      case 'StepInvariantExpr': {
        const modifier = this.at(kids[2] as SyntaxNode);
        return this.postfix(kids[0] as SyntaxNode, n.to, (operand, at) =>
          this.withModifier(operand, 'at', modifier, at),
        );
      }
      case 'FunctionCall':
        return this.call(kids[0] as SyntaxNode, kids[1] as SyntaxNode, span);
      case 'AggregateExpr':
        return this.aggregate(kids, span);
      case 'BinaryExpr':
        return this.binary(kids, span);
      case 'UnaryExpr': {
        const op = this.textOf(kids[0] as SyntaxNode) as '-' | '+';
        const inner = this.expr(kids[1] as SyntaxNode);
        return { kind: 'unary', op, expr: inner, span };
      }
      case 'ParenExpr':
        return { kind: 'paren', expr: this.expr(kids[0] as SyntaxNode), span };
      case 'AnchoredExpr':
      case 'SmoothedExpr': {
        const modifier = n.name === 'AnchoredExpr' ? 'anchored' : 'smoothed';
        return this.fail(
          'TRB_PROMQL_UNSUPPORTED',
          `${modifier} modifier is experimental and not enabled`,
          span,
          'Prometheus 3.14 needs --enable-feature=promql-extended-range-selectors for it; Tributary does not enable it',
        );
      }
      default:
        return this.fail('TRB_PROMQL_PARSE', `unexpected ${describe(this.textOf(n))}`, span);
    }
  }

  /**
   * Prometheus binds `[...]`, `offset` and `@` tighter than any operator (`-a @ 1` is `-(a @ 1)`,
   * `a + b offset 1m` is `a + (b offset 1m)`); lezer-promql binds them loosest, so the modifier is
   * moved onto the rightmost operand of the unary or binary expression it was parsed around.
   */
  private postfix(innerNode: SyntaxNode, end: number, apply: (operand: Expr, span: Span) => Expr): Expr {
    const attach = (e: Expr): Expr => {
      if (e.kind === 'binary') return { ...e, rhs: attach(e.rhs), span: { start: e.span.start, end } };
      if (e.kind === 'unary') return { ...e, expr: attach(e.expr), span: { start: e.span.start, end } };
      return apply(e, { start: e.span.start, end });
    };
    return attach(this.expr(innerNode));
  }

  private number(n: SyntaxNode): number {
    // lezer-promql puts a sign in the literal, with any blanks and comments after it.
    const text = this.textOf(n).replace(BLANKS, '');
    const sign = text[0] === '-' ? -1 : 1;
    const unsigned = text.replace(/^[+-]/, '');
    const value = parseNumber(unsigned);
    if (value === undefined)
      return this.fail(
        'TRB_PROMQL_PARSE',
        `error parsing number: ${goFloatError(unsigned)}`,
        numberSpan(n, this.text),
      );
    return sign * value;
  }

  private string(n: SyntaxNode): string {
    const literal = this.textOf(n);
    try {
      return unquoteString(literal);
    } catch (err) {
      return this.fail(
        'TRB_PROMQL_PARSE',
        `error unquoting string ${JSON.stringify(literal)}: ${(err as Error).message}`,
        n,
      );
    }
  }

  private vectorSelector(n: SyntaxNode, kids: SyntaxNode[]): VectorExpr {
    const span = { start: n.from, end: n.to };
    let name: string | undefined;
    const matchers: Matcher[] = [];
    for (const kid of kids) {
      if (kid.name === 'Identifier') name = this.textOf(kid);
      // lezer-promql lets the keyword `atan2` name a metric; Prometheus's grammar does not.
      if (name?.toLowerCase() === 'atan2') this.fail('TRB_PROMQL_PARSE', `unexpected ${describe(name)}`, kid);
      else for (const m of children(kid)) matchers.push(this.matcher(m));
    }
    if (name !== undefined) {
      const inside = matchers.find((m) => m.name === '__name__');
      if (inside)
        this.fail(
          'TRB_PROMQL_PARSE',
          `metric name must not be set twice: "${name}" or "${inside.value}"`,
          span,
        );
      matchers.push({ name: '__name__', op: '=', value: name });
    }
    return { kind: 'vector', name, matchers, offset: undefined, at: undefined, span };
  }

  private matcher(n: SyntaxNode): Matcher {
    const kids = children(n);
    if (n.name === 'QuotedLabelName')
      return { name: '__name__', op: '=', value: this.string(n.firstChild ?? n) };
    const [label, op, value] = kids as [SyntaxNode, SyntaxNode, SyntaxNode];
    const name =
      label.name === 'QuotedLabelName' ? this.string(label.firstChild ?? label) : this.textOf(label);
    const matchOp = MATCH_OPS[op.firstChild?.name ?? ''] as MatchOp;
    const matcher = { name, op: matchOp, value: this.string(value) };
    if (matchOp === '=~' || matchOp === '!~') {
      try {
        compileRegex(matcher.value);
      } catch (err) {
        if (err instanceof Re2Error && err.kind === 'unsupported')
          this.fail(
            'TRB_PROMQL_UNSUPPORTED',
            err.untranslatable(matcher.value),
            value,
            Re2Error.UNTRANSLATABLE_HINT,
          );
        const reason = (err as Error).message.replace(/^Invalid regular expression: /, '');
        this.fail('TRB_PROMQL_PARSE', `error parsing regexp: ${reason}`, value);
      }
    }
    return matcher;
  }

  private matrix(inner: Expr, range: Duration, span: Span): Expr {
    // Prometheus points at the `[...]` for these.
    const brackets = { start: this.text.indexOf('[', inner.span.end), end: span.end };
    if (inner.kind !== 'vector')
      return this.fail('TRB_PROMQL_PARSE', 'ranges only allowed for vector selectors', brackets);
    if (inner.offset) this.fail('TRB_PROMQL_PARSE', 'no offset modifiers allowed before range', brackets);
    if (inner.at) this.fail('TRB_PROMQL_PARSE', 'no @ modifiers allowed before range', brackets);
    return { kind: 'matrix', vector: inner, range, span };
  }

  /** `offset` or `@` put on the selector, range or subquery it follows, once each. */
  private withModifier<K extends keyof Modifiers>(
    inner: Expr,
    key: K,
    value: Modifiers[K],
    span: Span,
  ): Expr {
    const [word, twice] = MODIFIER_WORDS[key];
    const target = inner.kind === 'matrix' ? inner.vector : inner;
    if (target.kind !== 'vector' && target.kind !== 'subquery')
      return this.fail(
        'TRB_PROMQL_PARSE',
        `${word} modifier must be preceded by an instant vector selector or range vector selector or a subquery`,
        span,
      );
    if (target[key]) this.fail('TRB_PROMQL_PARSE', twice, span);
    if (inner.kind === 'matrix') return { ...inner, vector: { ...inner.vector, [key]: value }, span };
    return { ...target, [key]: value, span };
  }

  private at(n: SyntaxNode): AtModifier {
    if (n.name === 'AtModifierPreprocessors')
      return { kind: n.firstChild?.name === 'AtStart' ? 'start' : 'end' };
    const seconds = this.number(n);
    // Prometheus's bound is an int64 of seconds; it prints the value with %f.
    if (!Number.isFinite(seconds) || Math.abs(seconds) >= 2 ** 63) {
      const printed = Number.isNaN(seconds)
        ? 'NaN'
        : Number.isFinite(seconds)
          ? seconds.toFixed(6)
          : seconds > 0
            ? '+Inf'
            : '-Inf';
      this.fail('TRB_PROMQL_PARSE', `timestamp out of bounds for @ modifier: ${printed}`, n);
    }
    return { kind: 'time', ms: Math.round(seconds * 1000) };
  }

  private call(ident: SyntaxNode, body: SyntaxNode, span: Span): Expr {
    return { kind: 'call', func: this.textOf(ident), args: children(body).map((a) => this.expr(a)), span };
  }

  private aggregate(kids: SyntaxNode[], span: Span): Expr {
    const op = this.textOf(kids[0] as SyntaxNode).toLowerCase() as AggregateOp;
    if (EXPERIMENTAL_AGGREGATIONS.has(op))
      this.fail(
        'TRB_PROMQL_UNSUPPORTED',
        `${op}() is experimental and must be enabled with --enable-feature=promql-experimental-functions`,
        span,
        'Tributary does not enable experimental PromQL features',
      );
    const modifier = kids.find((k) => k.name === 'AggregateModifier');
    const body = kids.find((k) => k.name === 'FunctionCallBody') as SyntaxNode;
    const args = children(body).map((a) => this.expr(a));
    const want = WITH_PARAM.has(op) ? 2 : 1;
    if (args.length === 0)
      this.fail('TRB_PROMQL_PARSE', 'no arguments for aggregate expression provided', span);
    if (args.length !== want)
      this.fail(
        'TRB_PROMQL_PARSE',
        `wrong number of arguments for aggregate expression provided, expected ${want}, got ${args.length}`,
        span,
      );
    const [keyword, labels] = modifier ? children(modifier) : [];
    const grouping = labels ? this.labelList(labels) : [];
    const without = keyword?.name === 'Without';
    const [param, expr] = want === 2 ? [args[0], args[1] as Expr] : [undefined, args[0] as Expr];
    return { kind: 'aggregate', op, expr, param, grouping, without, span };
  }

  private labelList(n: SyntaxNode): string[] {
    return children(n).map((l) => {
      if (l.name === 'QuotedLabelName') return this.string(l.firstChild ?? l);
      const name = this.textOf(l);
      // Prometheus's lexer reads `inf` and `nan` as numbers outside braces, so not as label names here.
      if (/^(?:inf|nan)$/i.test(name))
        this.fail('TRB_PROMQL_PARSE', `unexpected number "${name}" in grouping opts, expected label`, l);
      return name;
    });
  }

  private binary(kids: SyntaxNode[], span: Span): Expr {
    const [lhsNode, opNode] = kids as [SyntaxNode, SyntaxNode];
    const rhsNode = kids[kids.length - 1] as SyntaxNode;
    const op = BINARY_OPS[opNode.name];
    if (opNode.name === 'TrimUpper' || opNode.name === 'TrimLower')
      this.fail(
        'TRB_PROMQL_UNSUPPORTED',
        `the ${this.textOf(opNode)} operator trims native histograms, which Tributary does not hold`,
        opNode,
      );
    if (!op) return this.fail('TRB_PROMQL_PARSE', `unexpected ${describe(this.textOf(opNode))}`, opNode);
    const fill = kids.find((k) => k.name === 'FillModifier');
    if (fill)
      this.fail(
        'TRB_PROMQL_UNSUPPORTED',
        'binop fill modifiers are experimental and not enabled',
        span,
        'Prometheus 3.14 needs --enable-feature=promql-binop-fill-modifiers for them; Tributary does not enable it',
      );
    const returnBool = kids.some((k) => k.name === 'BoolModifier');
    const clause = kids.find((k) => k.name === 'MatchingModifierClause');
    // A sign on a number binds looser than `^` (`-2 ^ 2` is -(2 ^ 2)): read it as a sign, then group.
    const signed =
      op === '^' && lhsNode.name === 'NumberDurationLiteral' && /^[+-]/.test(this.textOf(lhsNode));
    const lhs = signed ? this.signedNumber(lhsNode) : this.expr(lhsNode);
    const rhs = this.expr(rhsNode);
    return grouped({ kind: 'binary', op, lhs, rhs, matching: this.matching(op, clause), returnBool, span });
  }

  private signedNumber(n: SyntaxNode): Expr {
    const number = {
      kind: 'number' as const,
      value: Math.abs(this.number(n)),
      span: numberSpan(n, this.text),
    };
    return {
      kind: 'unary',
      op: this.textOf(n)[0] as '-' | '+',
      expr: number,
      span: { start: n.from, end: n.to },
    };
  }

  private matching(op: BinaryOp, clause: SyntaxNode | undefined): VectorMatching {
    const setOp = op === 'and' || op === 'or' || op === 'unless';
    if (!clause) return { card: setOp ? 'many-to-many' : 'one-to-one', labels: [], on: false, include: [] };
    const kids = children(clause);
    const on = kids[0]?.name === 'On';
    const labels = this.labelList(kids[1] as SyntaxNode);
    const group = kids[2]?.name;
    const include = kids[3] ? this.labelList(kids[3]) : [];
    const card =
      group === 'GroupLeft'
        ? 'many-to-one'
        : group === 'GroupRight'
          ? 'one-to-many'
          : setOp
            ? 'many-to-many'
            : 'one-to-one';
    return { card, labels, on, include };
  }
}

/** A number literal's span without the sign lezer-promql puts in it. */
function numberSpan(n: SyntaxNode, text: string): Span {
  let start = n.from;
  if (/[+-]/.test(text[start] ?? '')) start++;
  const blanks = LEADING_BLANKS.exec(text.slice(start, n.to))?.[0] ?? '';
  return { start: start + blanks.length, end: n.to };
}
