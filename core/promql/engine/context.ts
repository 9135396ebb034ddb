import type { Expr, Queryable, Series } from '../types.js';
import {
  DEFAULT_LOOKBACK_DELTA_MS,
  DEFAULT_NO_STEP_SUBQUERY_INTERVAL_MS,
  type EvalOptions,
} from './options.js';
import type { StepValue } from './values.js';

/** Evaluates a node at one step; handed down so the parts of the evaluator need not import each other. */
export type Evaluate = (e: Expr, t: number, q: QueryContext) => StepValue;

/** What one query evaluation shares across its steps. */
export interface QueryContext {
  readonly queryable: Queryable;
  /** The query's first and last step (equal for an instant query): what `@ start()` / `@ end()` mean. */
  readonly start: number;
  readonly end: number;
  /** The query's step; 0 for an instant query (what `step()` means in a duration expression). */
  readonly interval: number;
  readonly lookbackDeltaMs: number;
  readonly noStepSubqueryIntervalMs: number;
  readonly delayedNameRemoval: boolean;
  /** Each selector node's [minT, maxT]: every sample time the query can read through it. */
  readonly fetchSpans: Map<Expr, readonly [number, number]>;
  /** Each selector node's series, fetched on first use for its span. */
  readonly fetched: Map<Expr, readonly Series[]>;
  /** Each subquery's inner value by step time: range queries revisit the same absolute steps. */
  readonly subquerySteps: Map<Expr, Map<number, StepValue>>;
  /** How many subqueries the step being evaluated is inside (their inner steps form a range). */
  subqueryDepth: number;
  /**
   * For each range-vector function evaluated at several steps: which input series gave each
   * name-dropped output label set. Prometheus evaluates such a call once over all its steps and
   * refuses two input series that end up with one label set, even at different steps.
   */
  readonly nameDropSources: Map<Expr, Map<string, string>>;
}

/** A query's shared state; its fetch spans are filled in by spans.ts before the first step. */
export function queryContext(
  queryable: Queryable,
  start: number,
  end: number,
  interval: number,
  options: EvalOptions,
): QueryContext {
  return {
    queryable,
    start,
    end,
    interval,
    // As Prometheus's engine: a lookback of 0 or less means the default.
    lookbackDeltaMs:
      (options.lookbackDeltaMs ?? 0) > 0 ? (options.lookbackDeltaMs as number) : DEFAULT_LOOKBACK_DELTA_MS,
    noStepSubqueryIntervalMs: options.noStepSubqueryIntervalMs ?? DEFAULT_NO_STEP_SUBQUERY_INTERVAL_MS,
    delayedNameRemoval: options.delayedNameRemoval ?? false,
    fetchSpans: new Map(),
    fetched: new Map(),
    subquerySteps: new Map(),
    subqueryDepth: 0,
    nameDropSources: new Map(),
  };
}
