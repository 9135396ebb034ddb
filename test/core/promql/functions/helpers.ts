import { FUNCTIONS } from '../../../../core/promql/functions/index.js';
import { parseSeriesDescription, seriesPoints } from '../../../../core/promql/series-notation.js';
import type { Argument, Expr, Sample, Series } from '../../../../core/promql/types.js';

const MINUTE = 60_000;

const UNIT_MS = { ms: 1, s: 1000, m: MINUTE, h: 60 * MINUTE } as const;

/** `5m`, `90s`, `15m1s` to milliseconds. */
export function ms(duration: string): number {
  if (!/^(\d+(ms|s|m|h))+$/.test(duration)) throw new Error(`bad duration ${duration}`);
  let total = 0;
  for (const [, n, unit] of duration.matchAll(/(\d+)(ms|s|m|h)/g))
    total += Number(n) * UNIT_MS[unit as keyof typeof UNIT_MS];
  return total;
}

/**
 * A range-vector argument as the evaluator gives it: each series (promqltest's `load` notation, one
 * value per `step` from 0) cut to the left-open window (at - range, at].
 */
export function matrix(lines: readonly string[], step: string, at: string, range: string): Argument {
  const [t, r] = [ms(at), ms(range)];
  return {
    type: 'matrix',
    series: lines.map((line): Series => {
      const d = parseSeriesDescription(line);
      return {
        labels: d.labels,
        points: seriesPoints(d, 0, ms(step)).filter((p) => p.t > t - r && p.t <= t),
      };
    }),
  };
}

/** An instant-vector argument: `metric{...} value` lines, sampled at `t`. */
export function vector(lines: readonly string[], t = 0): Argument {
  return {
    type: 'vector',
    samples: lines.map((line): Sample => {
      const d = parseSeriesDescription(line);
      return { labels: d.labels, t, v: d.values[0] as number };
    }),
  };
}

export const scalar = (v: number): Argument => ({ type: 'scalar', v });
export const string = (v: string): Argument => ({ type: 'string', v });

/** Calls the function as the evaluator does at one step. */
export function call(
  name: string,
  args: readonly Argument[],
  at = '0s',
  { range = '0s', exprs = [] as readonly Expr[] } = {},
): Sample[] {
  const def = FUNCTIONS.get(name);
  if (!def) throw new Error(`no function ${name}`);
  const t = ms(at);
  return def.call(args, { t, rangeStart: t - ms(range), rangeEnd: t, args: exprs });
}

/**
 * `{labels} value` per result, sorted, for comparing with a test file's expectations; values to 12
 * significant digits, as promqltest compares them with a tolerance (1e-6 relative).
 */
export function results(samples: readonly Sample[]): string[] {
  return samples
    .map((s) => {
      const labels = Object.keys(s.labels)
        .sort()
        .map((k) => `${k}="${s.labels[k]}"`)
        .join(', ');
      return `{${labels}} ${Number(s.v.toPrecision(12))}`;
    })
    .sort();
}

/** A range function over `load`-notation series, evaluated at `at` over `[range]`. */
export function overRange(
  name: string,
  lines: readonly string[],
  step: string,
  at: string,
  range: string,
  before: Argument[] = [],
) {
  return call(name, [...before, matrix(lines, step, at, range)], at, { range });
}
