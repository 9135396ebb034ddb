import type { ValueType } from '../types.js';

/**
 * Every function Prometheus v3.14.0 knows (promql/parser/functions.go), with the types the parser
 * checks a call against. `refused` says why we refuse a call at load time: behind Prometheus's
 * `--enable-feature=promql-experimental-functions` (never on here), or only meaningful on native
 * histograms, which this engine does not hold.
 */
export interface Signature {
  readonly name: string;
  readonly argTypes: readonly ValueType[];
  /** 0: exactly argTypes; n > 0: the last n of argTypes are optional; -1: the last repeats. */
  readonly variadic: number;
  readonly returnType: 'vector' | 'scalar';
  readonly refused?: string;
}

const EXPERIMENTAL =
  'is experimental in Prometheus 3.14 (behind --enable-feature=promql-experimental-functions), which Tributary does not enable';
const NATIVE_HISTOGRAMS_ONLY =
  'works on native histograms only, and Tributary evaluates float samples (classic histograms: use histogram_quantile or histogram_fraction on the _bucket series)';

const V = 'vector';
const M = 'matrix';
const S = 'scalar';
const STR = 'string';

type Row = readonly [
  name: string,
  argTypes: readonly ValueType[],
  returnType: 'vector' | 'scalar',
  variadic?: number,
  refused?: string,
];

const ROWS: readonly Row[] = [
  ['abs', [V], V],
  ['absent', [V], V],
  ['absent_over_time', [M], V],
  ['acos', [V], V],
  ['acosh', [V], V],
  ['asin', [V], V],
  ['asinh', [V], V],
  ['atan', [V], V],
  ['atanh', [V], V],
  ['avg_over_time', [M], V],
  ['ceil', [V], V],
  ['changes', [M], V],
  ['clamp', [V, S, S], V],
  ['clamp_max', [V, S], V],
  ['clamp_min', [V, S], V],
  ['cos', [V], V],
  ['cosh', [V], V],
  ['count_over_time', [M], V],
  ['days_in_month', [V], V, 1],
  ['day_of_month', [V], V, 1],
  ['day_of_week', [V], V, 1],
  ['day_of_year', [V], V, 1],
  ['deg', [V], V],
  ['delta', [M], V],
  ['deriv', [M], V],
  ['double_exponential_smoothing', [M, S, S], V, 0, EXPERIMENTAL],
  ['end', [], S, 0, EXPERIMENTAL],
  ['exp', [V], V],
  ['first_over_time', [M], V],
  ['floor', [V], V],
  ['histogram_avg', [V], V, 0, NATIVE_HISTOGRAMS_ONLY],
  ['histogram_count', [V], V, 0, NATIVE_HISTOGRAMS_ONLY],
  ['histogram_fraction', [S, S, V], V],
  ['histogram_quantile', [S, V], V],
  ['histogram_quantiles', [V, STR, S, S], V, 9, EXPERIMENTAL],
  ['histogram_stddev', [V], V, 0, NATIVE_HISTOGRAMS_ONLY],
  ['histogram_stdvar', [V], V, 0, NATIVE_HISTOGRAMS_ONLY],
  ['histogram_sum', [V], V, 0, NATIVE_HISTOGRAMS_ONLY],
  ['hour', [V], V, 1],
  ['idelta', [M], V],
  ['increase', [M], V],
  ['info', [V, V], V, 1, EXPERIMENTAL],
  ['irate', [M], V],
  ['label_join', [V, STR, STR, STR], V, -1],
  ['label_replace', [V, STR, STR, STR, STR], V],
  ['last_over_time', [M], V],
  ['ln', [V], V],
  ['log10', [V], V],
  ['log2', [V], V],
  ['mad_over_time', [M], V, 0, EXPERIMENTAL],
  ['max_of', [S, S], S, 0, EXPERIMENTAL],
  ['max_over_time', [M], V],
  ['min_of', [S, S], S, 0, EXPERIMENTAL],
  ['min_over_time', [M], V],
  ['minute', [V], V, 1],
  ['month', [V], V, 1],
  ['pi', [], S],
  ['predict_linear', [M, S], V],
  ['present_over_time', [M], V],
  ['quantile_over_time', [S, M], V],
  ['rad', [V], V],
  ['range', [], S, 0, EXPERIMENTAL],
  ['rate', [M], V],
  ['resets', [M], V],
  ['round', [V, S], V, 1],
  ['scalar', [V], S],
  ['sgn', [V], V],
  ['sin', [V], V],
  ['sinh', [V], V],
  ['sort', [V], V],
  ['sort_by_label', [V, STR], V, -1, EXPERIMENTAL],
  ['sort_by_label_desc', [V, STR], V, -1, EXPERIMENTAL],
  ['sort_desc', [V], V],
  ['sqrt', [V], V],
  ['start', [], S, 0, EXPERIMENTAL],
  ['start_timestamp', [V], V, 0, EXPERIMENTAL],
  ['stddev_over_time', [M], V],
  ['stdvar_over_time', [M], V],
  ['step', [], S, 0, EXPERIMENTAL],
  ['sum_over_time', [M], V],
  ['tan', [V], V],
  ['tanh', [V], V],
  ['time', [], S],
  ['timestamp', [V], V],
  ['ts_of_first_over_time', [M], V, 0, EXPERIMENTAL],
  ['ts_of_last_over_time', [M], V, 0, EXPERIMENTAL],
  ['ts_of_max_over_time', [M], V, 0, EXPERIMENTAL],
  ['ts_of_min_over_time', [M], V, 0, EXPERIMENTAL],
  ['vector', [S], V],
  ['year', [V], V, 1],
];

export const SIGNATURES: readonly Signature[] = ROWS.map(
  ([name, argTypes, returnType, variadic = 0, refused]) =>
    refused ? { name, argTypes, returnType, variadic, refused } : { name, argTypes, returnType, variadic },
);
