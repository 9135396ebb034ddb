import type { Point } from '../types.js';
import { type Calls, eachSeries } from './call.js';

function count(points: readonly Point[], counts: (previous: number, current: number) => boolean): number {
  let n = 0;
  for (let i = 1; i < points.length; i++) if (counts((points[i - 1] as Point).v, (points[i] as Point).v)) n++;
  return n;
}

export const CHANGES: Calls = {
  // A value different from the one before; NaN after NaN is no change.
  changes: eachSeries((points) =>
    count(
      points,
      (previous, current) => current !== previous && !(Number.isNaN(current) && Number.isNaN(previous)),
    ),
  ),
  resets: eachSeries((points) => count(points, (previous, current) => current < previous)),
};
