import type { Point } from '../types.js';
import { kahanInc, scalarArg } from './arguments.js';
import { type Calls, eachSeries } from './call.js';

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
  let [sumX, cX, sumY, cY, sumXY, cXY, sumX2, cX2] = [0, 0, 0, 0, 0, 0, 0, 0];
  for (const { t, v } of points) {
    if (constY && n > 0 && v !== initY) constY = false;
    n++;
    const x = (t - interceptTime) / 1e3;
    [sumX, cX] = kahanInc(x, sumX, cX);
    [sumY, cY] = kahanInc(v, sumY, cY);
    [sumXY, cXY] = kahanInc(x * v, sumXY, cXY);
    [sumX2, cX2] = kahanInc(x * x, sumX2, cX2);
  }
  if (constY) return Number.isFinite(initY) || Number.isNaN(initY) ? [0, initY] : [Number.NaN, Number.NaN];
  sumX += cX;
  sumY += cY;
  sumXY += cXY;
  sumX2 += cX2;
  const covXY = sumXY - (sumX * sumY) / n;
  const varX = sumX2 - (sumX * sumX) / n;
  const slope = covXY / varX;
  return [slope, sumY / n - (slope * sumX) / n];
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
