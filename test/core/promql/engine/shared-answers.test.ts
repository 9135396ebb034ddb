import { describe, expect, it } from 'vitest';
import {
  type EvalOptions,
  evaluateInstant,
  evaluateRange,
  type Matcher,
  MemoryStorage,
  parseExpr,
  type Queryable,
  type Series,
} from '../../../../core/promql/index.js';

const MIN = 60_000;

/**
 * A storage that gives one answer (array) to every selector written alike for one span, and one
 * Series to every selector reading the same samples of a series, as the alert rules' window does
 * while its series are unchanged: the evaluator reuses its work on an answer and on a series.
 */
function sharing(storage: Queryable): Queryable {
  const answers = new Map<string, readonly Series[]>();
  const series = new Map<string, Series>();
  const shared = (s: Series) => {
    const key = JSON.stringify([s.labels, s.points.map((p) => p.t)]);
    const known = series.get(key) ?? s;
    series.set(key, known);
    return known;
  };
  return {
    select(matchers: readonly Matcher[], minT: number, maxT: number) {
      const key = JSON.stringify([matchers, minT, maxT]);
      let answer = answers.get(key);
      if (!answer) {
        answer = [...storage.select(matchers, minT, maxT)].map(shared);
        answers.set(key, answer);
      }
      return answer;
    },
  };
}

function loaded(): MemoryStorage {
  const storage = new MemoryStorage();
  for (let i = 0; i <= 30; i++) {
    const t = i * 15_000;
    for (const job of ['a', 'b'])
      storage.append({ __name__: 'requests_total', job }, t, i * (job === 'a' ? 3 : 7));
    ['0.1', '1', '+Inf'].forEach((le, b) => {
      storage.append({ __name__: 'latency_bucket', job: 'a', le }, t, i * (b + 1) * 2);
    });
  }
  return storage;
}

/** Expressions whose answers share selectors: different functions, ranges, offsets, @, lookbacks. */
const QUERIES = [
  'rate(requests_total[2m])',
  'increase(requests_total[2m])',
  'rate(requests_total[2m]) > 0.1',
  'rate(requests_total[1m])',
  'rate(requests_total{job="a"}[1m])',
  // At 7.5m the samples of [2m] and [125s] are the same (from 5.5m), their windows not: 5.5m is out of [2m].
  'rate(requests_total[125s])',
  'rate(requests_total{job!="b"}[2m])',
  'delta(requests_total{job=~"a|b"}[2m] offset 15s)',
  'requests_total',
  'timestamp(requests_total)',
  'requests_total @ 120',
  'requests_total offset 1m',
  'absent_over_time(requests_total{job="c"}[2m])',
  'histogram_quantile(0.5, rate(latency_bucket[2m]))',
  'histogram_quantile(0.9, rate(latency_bucket[2m]))',
  'histogram_fraction(0, 0.1, rate(latency_bucket[2m]))',
  'sum by (job) (rate(requests_total[2m]))',
  'max_over_time(rate(requests_total[1m])[3m:30s])',
];

describe('answers a storage gives several selectors', () => {
  it('give every query the result it gets from answers of its own, at each time', () => {
    const storage = loaded();
    const shared = sharing(storage);
    const options: EvalOptions[] = [{}, { lookbackDeltaMs: 30_000 }, { delayedNameRemoval: true }];
    for (const t of [5 * MIN, 5 * MIN + 15_000, 5 * MIN, 7 * MIN, 7.5 * MIN]) {
      for (const o of options) {
        for (const text of QUERIES) {
          const expr = parseExpr(text);
          expect(evaluateInstant(expr, shared, t, o), `${text} at ${t} ${JSON.stringify(o)}`).toEqual(
            evaluateInstant(parseExpr(text), storage, t, o),
          );
        }
      }
    }
    for (const text of QUERIES.filter((q) => !q.includes('> 0.1'))) {
      expect(evaluateRange(parseExpr(text), shared, 3 * MIN, 7 * MIN, 30_000), text).toEqual(
        evaluateRange(parseExpr(text), storage, 3 * MIN, 7 * MIN, 30_000),
      );
    }
  });
});
