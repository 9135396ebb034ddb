import { describe, expect, it } from 'vitest';
import {
  evaluateInstant,
  evaluateRange,
  type Matcher,
  parseExpr,
  type Queryable,
  type Series,
} from '../../../../core/promql/index.js';

const MIN = 60_000;

/** A storage with no data that records the time spans the evaluator asks for, by metric name. */
function recording(): Queryable & { spans: Record<string, [number, number][]> } {
  const spans: Record<string, [number, number][]> = {};
  return {
    spans,
    select(matchers: readonly Matcher[], minT: number, maxT: number): Iterable<Series> {
      const name = matchers.find((m) => m.name === '__name__')?.value ?? '';
      spans[name] = [...(spans[name] ?? []), [minT, maxT]];
      return [];
    },
  };
}

describe('the samples a query reads', () => {
  it('are fetched once per selector: the lookback or range before each reference time', () => {
    const storage = recording();
    const t = 60 * MIN;
    evaluateInstant(parseExpr('up + rate(requests[5m] offset 1m) + errors @ 600'), storage, t);
    expect(storage.spans).toEqual({
      up: [[t - 5 * MIN, t]],
      requests: [[t - 6 * MIN, t - MIN]],
      errors: [[600_000 - 5 * MIN, 600_000]],
    });
  });

  it('widen by the subqueries above and the steps of a range query', () => {
    const storage = recording();
    const t = 60 * MIN;
    evaluateRange(
      parseExpr('max_over_time(rate(requests[1m])[10m:1m] offset 2m)'),
      storage,
      t,
      t + 5 * MIN,
      MIN,
    );
    expect(storage.spans).toEqual({ requests: [[t - 2 * MIN - 10 * MIN - MIN, t + 5 * MIN - 2 * MIN]] });
  });
});
