import type { Point } from '../types.js';
import { kahanInc, scalarArg } from './arguments.js';
import { type Calls, eachSeries } from './call.js';
import { quantile } from './quantile.js';

/**
 * The mean as Prometheus 3 computes avg_over_time: a Kahan-compensated sum divided at the end, switching
 * to an incremental mean only when the sum would overflow.
 */
function average(points: readonly Point[]): number {
  let sum = (points[0] as Point).v;
  let c = 0;
  let mean = 0;
  let count = 1;
  let incremental = false;
  for (let i = 1; i < points.length; i++) {
    const v = (points[i] as Point).v;
    count = i + 1;
    if (!incremental) {
      const [newSum, newC] = kahanInc(v, sum, c);
      if (Number.isFinite(newSum) || Number.isNaN(newSum)) {
        [sum, c] = [newSum, newC];
        continue;
      }
      incremental = true;
      mean = sum / (count - 1);
      c /= count - 1;
    }
    const q = (count - 1) / count;
    [mean, c] = kahanInc(v / count, q * mean, q * c);
  }
  return incremental ? mean + c : sum / count + c / count;
}

function sum(points: readonly Point[]): number {
  let total = 0;
  let c = 0;
  for (const p of points) [total, c] = kahanInc(p.v, total, c);
  return Number.isFinite(total) || Number.isNaN(total) ? total + c : total;
}

/** Welford's variance with Kahan-compensated mean and sum of squares, as Prometheus's varianceOverTime. */
function variance(points: readonly Point[]): number {
  let count = 0;
  let mean = 0;
  let cMean = 0;
  let aux = 0;
  let cAux = 0;
  for (const { v } of points) {
    count++;
    const delta = v - (mean + cMean);
    [mean, cMean] = kahanInc(delta / count, mean, cMean);
    [aux, cAux] = kahanInc(delta * (v - (mean + cMean)), aux, cAux);
  }
  return (aux + cAux) / count;
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
