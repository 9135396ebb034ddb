import { type KahanSum, kahanAdd } from '../kahan.js';
import { quantile } from '../quantile.js';
import type { Point } from '../types.js';
import { scalarArg } from './arguments.js';
import { type Calls, eachSeries } from './call.js';

/**
 * The mean as Prometheus 3 computes avg_over_time: a Kahan-compensated sum divided at the end, switching
 * to an incremental mean only when the sum would overflow.
 */
function average(points: readonly Point[]): number {
  const sum: KahanSum = { sum: (points[0] as Point).v, c: 0 };
  let mean: KahanSum | undefined;
  let count = 1;
  for (let i = 1; i < points.length; i++) {
    const v = (points[i] as Point).v;
    count = i + 1;
    if (!mean) {
      const next = { ...sum };
      kahanAdd(next, v);
      if (Number.isFinite(next.sum) || Number.isNaN(next.sum)) {
        Object.assign(sum, next);
        continue;
      }
      mean = { sum: sum.sum / (count - 1), c: sum.c / (count - 1) };
    }
    const q = (count - 1) / count;
    mean.sum *= q;
    mean.c *= q;
    kahanAdd(mean, v / count);
  }
  return mean ? mean.sum + mean.c : sum.sum / count + sum.c / count;
}

function sum(points: readonly Point[]): number {
  const total: KahanSum = { sum: 0, c: 0 };
  for (const p of points) kahanAdd(total, p.v);
  return Number.isFinite(total.sum) || Number.isNaN(total.sum) ? total.sum + total.c : total.sum;
}

/** Welford's variance with Kahan-compensated mean and sum of squares, as Prometheus's varianceOverTime. */
function variance(points: readonly Point[]): number {
  let count = 0;
  const mean: KahanSum = { sum: 0, c: 0 };
  const aux: KahanSum = { sum: 0, c: 0 };
  for (const { v } of points) {
    count++;
    const delta = v - (mean.sum + mean.c);
    kahanAdd(mean, delta / count);
    kahanAdd(aux, delta * (v - (mean.sum + mean.c)));
  }
  return (aux.sum + aux.c) / count;
}

/** max/min_over_time: a NaN is replaced by any later value, so NaN only wins when every value is NaN. */
function extreme(points: readonly Point[], better: (v: number, best: number) => boolean): number {
  let best = (points[0] as Point).v;
  for (const { v } of points) if (better(v, best) || Number.isNaN(best)) best = v;
  return best;
}

export const OVER_TIME: Calls = {
  avg_over_time: eachSeries(average),
  sum_over_time: eachSeries(sum),
  count_over_time: eachSeries((points) => points.length),
  min_over_time: eachSeries((points) => extreme(points, (v, best) => v < best)),
  max_over_time: eachSeries((points) => extreme(points, (v, best) => v > best)),
  stdvar_over_time: eachSeries(variance),
  stddev_over_time: eachSeries((points) => Math.sqrt(variance(points))),
  present_over_time: eachSeries(() => 1),
  last_over_time: eachSeries((points) => (points[points.length - 1] as Point).v),
  first_over_time: eachSeries((points) => (points[0] as Point).v),
  quantile_over_time: eachSeries(
    (points, args) =>
      quantile(
        scalarArg(args, 0),
        points.map((p) => p.v),
      ),
    1,
  ),
};
