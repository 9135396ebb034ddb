import type { Expr, Labels, Point, Queryable } from '../types.js';
import {
  DEFAULT_LOOKBACK_DELTA_MS,
  DEFAULT_NO_STEP_SUBQUERY_INTERVAL_MS,
  type EvalOptions,
} from './options.js';
import { addFetchSpans } from './spans.js';
import type { StepValue } from './values.js';

/** A selector's series as fetched once for the whole query: points oldest first. */
export interface FetchedSeries {
  readonly labels: Labels;
  readonly points: readonly Point[];
}

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
  readonly fetched: Map<Expr, readonly FetchedSeries[]>;
  /** Each subquery's inner value by step time: range queries revisit the same absolute steps. */
  readonly subquerySteps: Map<Expr, Map<number, StepValue>>;
}

export function queryContext(
  root: Expr,
  queryable: Queryable,
  start: number,
  end: number,
  interval: number,
  options: EvalOptions,
): QueryContext {
  const q: QueryContext = {
    queryable,
    start,
    end,
    interval,
    lookbackDeltaMs: options.lookbackDeltaMs ?? DEFAULT_LOOKBACK_DELTA_MS,
    noStepSubqueryIntervalMs: options.noStepSubqueryIntervalMs ?? DEFAULT_NO_STEP_SUBQUERY_INTERVAL_MS,
    delayedNameRemoval: options.delayedNameRemoval ?? false,
    fetchSpans: new Map(),
    fetched: new Map(),
    subquerySteps: new Map(),
  };
  addFetchSpans(root, start, end, q);
  return q;
}
