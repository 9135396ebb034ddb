/**
 * The cases of Prometheus's test files outside Tributary's scope (issue 10: what Prometheus 3.14
 * evaluates by default on float samples), by feature. Each rule says why; a case is skipped only when
 * a rule matches it, and a skipped case is reported as skipped. Never add a rule to hide a bug.
 */
import { compileMatchers } from '../../../../core/promql/matchers.js';
import { PromqlParseError, parseExpr } from '../../../../core/promql/parse/index.js';
import type { Expr, Labels, Matcher } from '../../../../core/promql/types.js';
import type { Eval } from './script.js';

/** What a case sees: the series loaded with native histogram values, and whether start timestamps were given. */
export interface LoadedState {
  readonly histograms: readonly Labels[];
  readonly startTimestamps: boolean;
}

interface Rule {
  readonly reason: string;
  readonly applies: (c: Eval, state: LoadedState) => boolean;
}

/** Prometheus 3.14's functions with `Experimental: true` (promql/parser/functions.go). */
const EXPERIMENTAL_FUNCTIONS = [
  'double_exponential_smoothing',
  'end',
  'histogram_quantiles',
  'info',
  'mad_over_time',
  'max_of',
  'min_of',
  'range',
  'sort_by_label',
  'sort_by_label_desc',
  'start',
  'start_timestamp',
  'step',
  'ts_of_first_over_time',
  'ts_of_last_over_time',
  'ts_of_max_over_time',
  'ts_of_min_over_time',
];
/** Functions that read only native histograms (on a float sample they return nothing). */
const NATIVE_HISTOGRAM_FUNCTIONS = [
  'histogram_avg',
  'histogram_count',
  'histogram_stddev',
  'histogram_stdvar',
  'histogram_sum',
];

const refusedCallOf = (names: readonly string[]) => new RegExp(`^function "(?:${names.join('|')})" `);

/**
 * A rule with `refusal` applies when our parser refuses the expression with TRB_PROMQL_UNSUPPORTED
 * and that reason: the case is out of scope because of the feature it uses, and the refusal is tested.
 */
export const SKIP_RULES: readonly Rule[] = [
  {
    reason:
      'native histograms: the case loads or expects native histogram samples ({{...}}), which Tributary does not hold',
    applies: (c, state) => c.histogramResult || selectsAny(c.expr, state.histograms),
  },
  {
    reason:
      'native histograms: histogram_count/sum/avg/stddev/stdvar and the trim operators </ >/ read native histograms only',
    applies: refused(refusedCallOf(NATIVE_HISTOGRAM_FUNCTIONS), /trims native histograms/),
  },
  {
    reason:
      'start timestamps (@st lines): Prometheus 3.14 uses them only behind --enable-feature=use-start-timestamps',
    applies: (_c, state) => state.startTimestamps,
  },
  {
    reason: 'experimental functions and aggregations (--enable-feature=promql-experimental-functions)',
    applies: refused(refusedCallOf(EXPERIMENTAL_FUNCTIONS), /^(?:limitk|limit_ratio)\(\) is experimental/),
  },
  {
    reason: 'anchored/smoothed range selectors (--enable-feature=promql-extended-range-selectors)',
    applies: refused(/^(?:anchored|smoothed) modifier is experimental/),
  },
  {
    reason: 'binary operator fill modifiers (--enable-feature=promql-binop-fill-modifiers)',
    applies: refused(/^binop fill modifiers are experimental/),
  },
];

export function skipReason(c: Eval, state: LoadedState): string | undefined {
  return SKIP_RULES.find((r) => r.applies(c, state))?.reason;
}

/** A rule matching the reason our parser gives when it refuses the expression as out of scope. */
function refused(...reasons: RegExp[]): Rule['applies'] {
  return (c) => {
    const detail = refusal(c.expr);
    return detail !== undefined && reasons.some((r) => r.test(detail));
  };
}

function refusal(text: string): string | undefined {
  try {
    parseExpr(text);
    return undefined;
  } catch (err) {
    return err instanceof PromqlParseError && err.code === 'TRB_PROMQL_UNSUPPORTED' ? err.detail : undefined;
  }
}

/** Whether a selector of the expression matches one of the (not loaded) native histogram series. */
function selectsAny(text: string, series: readonly Labels[]): boolean {
  if (series.length === 0) return false;
  let expr: Expr;
  try {
    expr = parseExpr(text);
  } catch {
    return false;
  }
  return selectors(expr).some((matchers) => {
    const test = compileMatchers(matchers);
    return series.some(test);
  });
}

function selectors(e: Expr): (readonly Matcher[])[] {
  switch (e.kind) {
    case 'vector':
      return [e.matchers];
    case 'matrix':
      return [e.vector.matchers];
    case 'call':
      return e.args.flatMap(selectors);
    case 'aggregate':
      return [...(e.param ? selectors(e.param) : []), ...selectors(e.expr)];
    case 'binary':
      return [...selectors(e.lhs), ...selectors(e.rhs)];
    case 'unary':
    case 'paren':
    case 'subquery':
      return selectors(e.expr);
    default:
      return [];
  }
}
