export interface EvalOptions {
  /** How far back an instant selector looks for a sample; Prometheus's default 5m. */
  readonly lookbackDeltaMs?: number;
  /** A subquery's step when it gives none; rules pass their group's interval. */
  readonly noStepSubqueryIntervalMs?: number;
}

export const DEFAULT_LOOKBACK_DELTA_MS = 5 * 60_000;
export const DEFAULT_NO_STEP_SUBQUERY_INTERVAL_MS = 60_000;
