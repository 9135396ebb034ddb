import { type KahanSum, kahanAdd } from '../kahan.js';
import type { Point } from '../types.js';
import { scalarArg } from './arguments.js';
import { type Calls, eachSeries } from './call.js';

const zero = (): KahanSum => ({ sum: 0, c: 0 });
const total = (s: KahanSum) => s.sum + s.c;

/**
 * Least-squares fit of the points as Prometheus's linearRegression: x is seconds from
 * `interceptTime`, sums are Kahan-compensated, and a constant series has slope 0 (NaN if it is
 * constantly infinite) and its value as intercept.
 */
function linearRegression(
  points: readonly Point[],
  interceptTime: number,
): [slope: number, intercept: number] {
  const initY = (points[0] as Point).v;
  let constY = true;
  let n = 0;
  const [sumX, sumY, sumXY, sumX2] = [zero(), zero(), zero(), zero()];
  for (const { t, v } of points) {
    if (constY && n > 0 && v !== initY) constY = false;
    n++;
    const x = (t - interceptTime) / 1e3;
    kahanAdd(sumX, x);
    kahanAdd(sumY, v);
    kahanAdd(sumXY, x * v);
    kahanAdd(sumX2, x * x);
  }
  if (constY) return Number.isFinite(initY) || Number.isNaN(initY) ? [0, initY] : [Number.NaN, Number.NaN];
  const [x, y, xy, x2] = [total(sumX), total(sumY), total(sumXY), total(sumX2)];
  const covXY = xy - (x * y) / n;
  const varX = x2 - (x * x) / n;
  const slope = covXY / varX;
  return [slope, y / n - (slope * x) / n];
}

export const REGRESSION: Calls = {
  // The intercept time is the first point's, near the values, to keep float errors small.
  deriv: eachSeries((points) =>
    points.length < 2 ? undefined : linearRegression(points, (points[0] as Point).t)[0],
  ),
  predict_linear: eachSeries((points, args, ctx) => {
    if (points.length < 2) return undefined;
    const [slope, intercept] = linearRegression(points, ctx.t);
    return slope * scalarArg(args, 1) + intercept;
  }),
};
