import type { Argument, CallContext, Sample } from '../types.js';
import { scalarArg } from './arguments.js';
import { type Calls, eachValue, scalarResult } from './call.js';

/** As Prometheus: ties round up, and `toNearest` is inverted first (fewer floating point errors). */
function round(v: number, toNearest: number): number {
  const inverse = 1 / toNearest;
  return Math.floor(v * inverse + 0.5) / inverse;
}

export const MATH: Calls = {
  abs: eachValue(Math.abs),
  ceil: eachValue(Math.ceil),
  floor: eachValue(Math.floor),
  exp: eachValue(Math.exp),
  sqrt: eachValue(Math.sqrt),
  ln: eachValue(Math.log),
  log2: eachValue(Math.log2),
  log10: eachValue(Math.log10),
  sin: eachValue(Math.sin),
  cos: eachValue(Math.cos),
  tan: eachValue(Math.tan),
  asin: eachValue(Math.asin),
  acos: eachValue(Math.acos),
  atan: eachValue(Math.atan),
  sinh: eachValue(Math.sinh),
  cosh: eachValue(Math.cosh),
  tanh: eachValue(Math.tanh),
  asinh: eachValue(Math.asinh),
  acosh: eachValue(Math.acosh),
  atanh: eachValue(Math.atanh),
  rad: eachValue((v) => (v * Math.PI) / 180),
  deg: eachValue((v) => (v * 180) / Math.PI),
  sgn: eachValue((v) => (v < 0 ? -1 : v > 0 ? 1 : v)),
  pi: (_args, ctx) => scalarResult(ctx.t, Math.PI),
  round: (args, ctx) => {
    const toNearest = args.length > 1 ? scalarArg(args, 1) : 1;
    return eachValue((v) => round(v, toNearest))(args, ctx);
  },
  clamp: (args, ctx) => clamp(args, ctx, scalarArg(args, 1), scalarArg(args, 2)),
  clamp_min: (args, ctx) => clamp(args, ctx, scalarArg(args, 1), Number.POSITIVE_INFINITY),
  clamp_max: (args, ctx) => clamp(args, ctx, Number.NEGATIVE_INFINITY, scalarArg(args, 1)),
};

/** No result at all when max < min, as Prometheus; Math.max/min let NaN through as Go's do. */
function clamp(args: readonly Argument[], ctx: CallContext, min: number, max: number): Sample[] {
  if (max < min) return [];
  return eachValue((v) => Math.max(min, Math.min(max, v)))(args, ctx);
}
