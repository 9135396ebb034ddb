import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../../../core/promql/functions/index.js';

/**
 * The function names of @prometheus-io/lezer-promql 0.314 (Prometheus 3.14's grammar), read from its
 * keyword table; `start` and `end` are keywords of the `@` modifier there, not function names.
 */
function grammarFunctionNames(): string[] {
  const grammar = readFileSync(createRequire(import.meta.url).resolve('@prometheus-io/lezer-promql'), 'utf8');
  const table = /\{__proto__:null,(absent_over_time:[^}]*)\}/.exec(grammar)?.[1] ?? '';
  return [...table.matchAll(/(\w+):\d+/g)].map((m) => m[1] as string);
}

describe('FUNCTIONS', () => {
  it("has every function of Prometheus 3.14's grammar, and no other", () => {
    const names = [...grammarFunctionNames(), 'start', 'end'];
    expect(names.length).toBe(90);
    expect([...FUNCTIONS.keys()].sort()).toEqual(names.sort());
  });

  it('refuses the experimental and native-histogram-only ones, saying why', () => {
    const refused = [...FUNCTIONS.values()].filter((f) => f.experimental);
    expect(refused.map((f) => f.name).sort()).toEqual(
      [
        'double_exponential_smoothing',
        'end',
        'histogram_avg',
        'histogram_count',
        'histogram_quantiles',
        'histogram_stddev',
        'histogram_stdvar',
        'histogram_sum',
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
      ].sort(),
    );
    expect(FUNCTIONS.get('histogram_sum')?.refusedBecause).toMatch(/native histograms/);
    expect(FUNCTIONS.get('sort_by_label')?.refusedBecause).toMatch(/promql-experimental-functions/);
  });

  it('has the signatures of functions.go', () => {
    expect(FUNCTIONS.get('label_join')).toMatchObject({
      argTypes: ['vector', 'string', 'string', 'string'],
      variadic: -1,
    });
    expect(FUNCTIONS.get('round')).toMatchObject({
      argTypes: ['vector', 'scalar'],
      variadic: 1,
      returnType: 'vector',
    });
    expect(FUNCTIONS.get('quantile_over_time')).toMatchObject({
      argTypes: ['scalar', 'matrix'],
      variadic: 0,
    });
    expect(FUNCTIONS.get('scalar')?.returnType).toBe('scalar');
  });
});
