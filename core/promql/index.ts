/**
 * PromQL as Prometheus 3.x evaluates it on float samples. The contract between the parser, the
 * evaluator, the functions, the alert rules and `test-rules`; each part lives in its own file here.
 *
 *   parseExpr(text)                   -> Expr, or throws PromqlParseError (TRB_PROMQL_PARSE /
 *                                        TRB_PROMQL_UNSUPPORTED) with the position in the text
 *   evaluateInstant(expr, queryable, t, options?)              -> Value
 *   evaluateRange(expr, queryable, start, end, step, options?) -> Value (a matrix, or a scalar/string
 *                                        series for scalar expressions as Prometheus's range query does)
 *   FUNCTIONS: ReadonlyMap<string, FunctionDef>                (core/promql/functions/)
 *
 * options: { lookbackDeltaMs = 5 * 60_000, noStepSubqueryIntervalMs = 60_000 (rules pass their
 * group's interval), delayedNameRemoval = false (the server's default; Prometheus's test files
 * assume true) }. Run-time failures throw PromqlEvalError (TRB_PROMQL_EVAL) with Prometheus's message.
 */

export { type EvalOptions, evaluateInstant, evaluateRange, PromqlEvalError } from './engine/index.js';
export { formatLabels, labelsKey } from './labels.js';
export { compileMatchers, compileRegex } from './matchers.js';
export { MemoryStorage } from './memory-storage.js';
export {
  evaluateDurationMs,
  lineAndColumn,
  PromqlParseError,
  parseExpr,
  typeOf,
} from './parse/index.js';
export { parseSeriesDescription, type SeriesDescription, seriesPoints } from './series-notation.js';
export { isStaleNaN, STALE_NAN } from './stale.js';
export * from './types.js';
