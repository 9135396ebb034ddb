/**
 * An error while a query runs, with Prometheus's own message (`vector cannot contain metrics with
 * the same labelset`, `found duplicate series for the match group ...`), so the test files'
 * `expect fail msg:` lines match it.
 */
export class PromqlEvalError extends Error {
  override name = 'PromqlEvalError';
  readonly code = 'TRB_PROMQL_EVAL';
}
