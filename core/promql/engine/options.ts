export interface EvalOptions {
  /** How far back an instant selector looks for a sample; Prometheus's default 5m. */
  readonly lookbackDeltaMs?: number;
  /** A subquery's step when it gives none; rules pass their group's interval. */
  readonly noStepSubqueryIntervalMs?: number;
  /**
   * Keep `__name__` on samples until the query's end, dropping it there from those a function or
   * operator changed (Prometheus's `promql-delayed-name-removal` feature flag, off by default in the
   * server and on in its PromQL test files).
   */
  readonly delayedNameRemoval?: boolean;
}

export const DEFAULT_LOOKBACK_DELTA_MS = 5 * 60_000;
export const DEFAULT_NO_STEP_SUBQUERY_INTERVAL_MS = 60_000;
