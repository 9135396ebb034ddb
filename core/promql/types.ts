/**
 * PromQL's values, syntax tree and storage contract, as Prometheus 3.x defines them (promql/parser/ast.go,
 * promql/value.go, storage/interface.go). Times are milliseconds since the epoch; durations are
 * milliseconds. Only float samples: native histograms are refused at load time.
 */

/** A series' labels, `__name__` included; never mutated once built. */
export type Labels = Readonly<Record<string, string>>;

/** Prometheus's staleness marker: a NaN with this exact bit pattern (value.StaleNaN). */
export const STALE_NAN_BITS = 0x7ff0000000000002n;

export interface Point {
  /** Milliseconds since the epoch. */
  readonly t: number;
  readonly v: number;
}

/** One element of an instant vector. */
export interface Sample {
  readonly labels: Labels;
  readonly t: number;
  readonly v: number;
}

/** One element of a range vector: the points inside the window, oldest first. */
export interface Series {
  readonly labels: Labels;
  readonly points: readonly Point[];
}

export type ValueType = 'scalar' | 'string' | 'vector' | 'matrix';

export type Value =
  | { readonly type: 'scalar'; readonly t: number; readonly v: number }
  | { readonly type: 'string'; readonly t: number; readonly v: string }
  | { readonly type: 'vector'; readonly samples: readonly Sample[] }
  | { readonly type: 'matrix'; readonly series: readonly Series[] };

/** Where a node sits in the expression text: [start, end) character offsets. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

export type MatchOp = '=' | '!=' | '=~' | '!~';

export interface Matcher {
  readonly name: string;
  readonly op: MatchOp;
  readonly value: string;
}

/** `@ <time>`, `@ start()` or `@ end()`. */
export type AtModifier =
  | { readonly kind: 'time'; readonly ms: number }
  | { readonly kind: 'start' }
  | { readonly kind: 'end' };

/**
 * A duration written in the expression: a literal, or a duration expression (`5m+1m`, `step()`,
 * `min(...)`) that is folded to milliseconds when the query runs (it may depend on the step).
 */
export type Duration =
  | { readonly kind: 'literal'; readonly ms: number }
  | { readonly kind: 'expr'; readonly expr: DurationExpr };

export type DurationExpr =
  | { readonly kind: 'number'; readonly ms: number }
  | { readonly kind: 'step' }
  | { readonly kind: 'range' }
  | { readonly kind: 'unary'; readonly op: '-' | '+'; readonly expr: DurationExpr }
  | {
      readonly kind: 'binary';
      readonly op: '+' | '-' | '*' | '/' | '%' | '^';
      readonly lhs: DurationExpr;
      readonly rhs: DurationExpr;
    }
  | { readonly kind: 'call'; readonly name: 'min' | 'max'; readonly args: readonly DurationExpr[] };

export type AggregateOp =
  | 'sum'
  | 'avg'
  | 'min'
  | 'max'
  | 'count'
  | 'stddev'
  | 'stdvar'
  | 'topk'
  | 'bottomk'
  | 'quantile'
  | 'count_values'
  | 'group'
  | 'limitk'
  | 'limit_ratio';

export type ArithmeticOp = '+' | '-' | '*' | '/' | '%' | '^' | 'atan2';
export type ComparisonOp = '==' | '!=' | '>' | '<' | '>=' | '<=';
export type SetOp = 'and' | 'or' | 'unless';
export type BinaryOp = ArithmeticOp | ComparisonOp | SetOp;

export interface VectorMatching {
  /** `one-to-one`, `many-to-one` (group_left) or `one-to-many` (group_right). */
  readonly card: 'one-to-one' | 'many-to-one' | 'one-to-many' | 'many-to-many';
  /** The labels of `on(...)` (when `on` is true) or `ignoring(...)`. */
  readonly labels: readonly string[];
  readonly on: boolean;
  /** The extra labels copied from the "one" side by group_left(...)/group_right(...). */
  readonly include: readonly string[];
}

export type Expr =
  | { readonly kind: 'number'; readonly value: number; readonly span: Span }
  | { readonly kind: 'string'; readonly value: string; readonly span: Span }
  | {
      readonly kind: 'vector';
      /** The metric name when written outside the braces, else undefined. */
      readonly name: string | undefined;
      /** Every matcher, the name as `__name__="..."` included. */
      readonly matchers: readonly Matcher[];
      readonly offset: Duration | undefined;
      readonly at: AtModifier | undefined;
      readonly span: Span;
    }
  | {
      readonly kind: 'matrix';
      readonly vector: Expr & { kind: 'vector' };
      readonly range: Duration;
      readonly span: Span;
    }
  | {
      readonly kind: 'subquery';
      readonly expr: Expr;
      readonly range: Duration;
      /** Undefined: the rule's or query's evaluation interval (Prometheus's default step). */
      readonly step: Duration | undefined;
      readonly offset: Duration | undefined;
      readonly at: AtModifier | undefined;
      readonly span: Span;
    }
  | { readonly kind: 'call'; readonly func: string; readonly args: readonly Expr[]; readonly span: Span }
  | {
      readonly kind: 'aggregate';
      readonly op: AggregateOp;
      readonly expr: Expr;
      /** The parameter of topk, bottomk, quantile, count_values, limitk, limit_ratio. */
      readonly param: Expr | undefined;
      readonly grouping: readonly string[];
      readonly without: boolean;
      readonly span: Span;
    }
  | {
      readonly kind: 'binary';
      readonly op: BinaryOp;
      readonly lhs: Expr;
      readonly rhs: Expr;
      /** Undefined when either side is a scalar. */
      readonly matching: VectorMatching | undefined;
      /** `bool` on a comparison. */
      readonly returnBool: boolean;
      readonly span: Span;
    }
  | { readonly kind: 'unary'; readonly op: '-' | '+'; readonly expr: Expr; readonly span: Span }
  | { readonly kind: 'paren'; readonly expr: Expr; readonly span: Span };

/** What the evaluator reads samples from: the alert rules' window, or a test's loaded series. */
export interface Queryable {
  /**
   * Every series whose labels satisfy all `matchers`, with its points in [minT, maxT] (both ends
   * included; the evaluator applies PromQL's left-open windows and lookback), oldest first.
   * Staleness markers are returned as points whose value has STALE_NAN_BITS. An array returned is
   * never changed afterwards: it may be returned again while its series are unchanged, and the
   * evaluator reuses the work done on it (sorting, picking samples) by its identity.
   */
  select(matchers: readonly Matcher[], minT: number, maxT: number): Iterable<Series>;
}

/** An expression the parser refuses: `position` is the character offset in the expression text. */
export interface PromqlProblem {
  readonly message: string;
  readonly position: Span;
  /** What would be valid instead, when there is something to say. */
  readonly hint?: string;
}

/** A function argument once evaluated at one step: matrix arguments hold each series' window points. */
export type Argument =
  | { readonly type: 'scalar'; readonly v: number }
  | { readonly type: 'string'; readonly v: string }
  | { readonly type: 'vector'; readonly samples: readonly Sample[] }
  | { readonly type: 'matrix'; readonly series: readonly Series[] };

export interface CallContext {
  /** The evaluation time of this step, ms. */
  readonly t: number;
  /** The window of the matrix argument: (t - rangeMs, t] after offset and `@`; 0 without one. */
  readonly rangeStart: number;
  readonly rangeEnd: number;
  /** The argument expressions as written (absent() and absent_over_time() read their matchers). */
  readonly args: readonly Expr[];
}

/** One PromQL function: the parser checks calls against its signature, the evaluator calls it per step. */
export interface FunctionDef {
  readonly name: string;
  readonly argTypes: readonly ValueType[];
  /** 0: exactly argTypes; n > 0: the last n of argTypes are optional; -1: the last repeats without limit. */
  readonly variadic: number;
  readonly returnType: 'vector' | 'scalar';
  /** Refused unless Prometheus's feature flag is on (we never turn it on): a load-time error, not a wrong answer. */
  readonly experimental?: boolean;
  /** Why a call is refused at load time (set with `experimental`): a sentence for the error message. */
  readonly refusedBecause?: string;
  /**
   * Arguments a type-correct call still cannot be evaluated with, found at load time (label_replace's
   * regexp in RE2 syntax JavaScript cannot express): the parser refuses the call with
   * TRB_PROMQL_UNSUPPORTED at the problem's position.
   */
  readonly unsupportedArguments?: (args: readonly Expr[]) => PromqlProblem | undefined;
  /**
   * The result of one step; a scalar-returning function returns one sample with empty labels.
   * Results keep their input's labels, `__name__` included: the evaluator removes the name (at once,
   * or at the query's end with delayed name removal) for every function but last_over_time,
   * first_over_time, sort*, label_replace and label_join, as Prometheus's engine does.
   */
  readonly call: (args: readonly Argument[], ctx: CallContext) => Sample[];
}
