import type { CallContext, Point } from '../types.js';
import { type Calls, eachSeries } from './call.js';

/**
 * rate, increase and delta as Prometheus 3 computes them (extrapolatedRate): the change between the
 * first and last point in the window (plus what counter resets hid), extrapolated towards the window's
 * ends when the points reach close enough to them, and never below zero for a counter.
 */
function extrapolatedRate(points: readonly Point[], ctx: CallContext, isCounter: boolean, isRate: boolean) {
  if (points.length < 2) return undefined;
  const first = points[0] as Point;
  const last = points[points.length - 1] as Point;
  let result = last.v - first.v;
  if (isCounter) {
    for (let i = 1; i < points.length; i++) {
      const previous = (points[i - 1] as Point).v;
      if ((points[i] as Point).v < previous) result += previous;
    }
  }
  let durationToStart = (first.t - ctx.rangeStart) / 1000;
  let durationToEnd = (ctx.rangeEnd - last.t) / 1000;
  const sampledInterval = (last.t - first.t) / 1000;
  const averageDurationBetweenSamples = sampledInterval / (points.length - 1);
  // Points within 10% more than the average spacing of an end are taken to reach it; otherwise the
  // series is assumed to start (or end) half an average spacing beyond its first (or last) point.
  const extrapolationThreshold = averageDurationBetweenSamples * 1.1;
  if (durationToStart >= extrapolationThreshold) durationToStart = averageDurationBetweenSamples / 2;
  if (isCounter) {
    // A counter does not go below zero: extrapolate no further back than where it would be zero.
    let durationToZero = durationToStart;
    if (result > 0 && first.v >= 0) durationToZero = sampledInterval * (first.v / result);
    if (durationToZero < durationToStart) durationToStart = durationToZero;
  }
  if (durationToEnd >= extrapolationThreshold) durationToEnd = averageDurationBetweenSamples / 2;
  let factor =
    sampledInterval !== 0 ? (sampledInterval + durationToStart + durationToEnd) / sampledInterval : 1;
  if (isRate) factor /= (ctx.rangeEnd - ctx.rangeStart) / 1000;
  return result * factor;
}

/** irate and idelta: from the last two points only; irate takes a drop as a counter reset. */
function instantValue(points: readonly Point[], isRate: boolean) {
  if (points.length < 2) return undefined;
  const previous = points[points.length - 2] as Point;
  const last = points[points.length - 1] as Point;
  const sampledInterval = last.t - previous.t;
  if (sampledInterval === 0) return undefined;
  // After a counter reset the last value is the increase since the reset.
  const change = isRate && last.v < previous.v ? last.v : last.v - previous.v;
  return isRate ? change / (sampledInterval / 1000) : change;
}

export const RATE: Calls = {
  rate: eachSeries((points, _args, ctx) => extrapolatedRate(points, ctx, true, true)),
  increase: eachSeries((points, _args, ctx) => extrapolatedRate(points, ctx, true, false)),
  delta: eachSeries((points, _args, ctx) => extrapolatedRate(points, ctx, false, false)),
  irate: eachSeries((points) => instantValue(points, true)),
  idelta: eachSeries((points) => instantValue(points, false)),
};
