import type { Argument, CallContext, Sample } from '../types.js';
import { scalarArg } from './arguments.js';
import { type Calls, eachValue, scalarResult } from './call.js';

const bits = new DataView(new ArrayBuffer(8));
const SMALLEST_NORMAL = 2.2250738585072014e-308;

/** Go's math.Frexp: x = fraction × 2^exponent with the fraction in [0.5, 1). */
function frexp(x: number): [fraction: number, exponent: number] {
  if (x === 0 || !Number.isFinite(x)) return [x, 0];
  let exponent = 0;
  let f = x;
  if (Math.abs(f) < SMALLEST_NORMAL) {
    f *= 2 ** 52;
    exponent = -52;
  }
  bits.setFloat64(0, f);
  const high = bits.getUint32(0);
  exponent += ((high >>> 20) & 0x7ff) - 1022;
  bits.setUint32(0, (high & 0x800fffff) | (1022 << 20));
  return [bits.getFloat64(0), exponent];
}

/**
 * log2 and log10 as Go computes them (from ln, not V8's own log2/log10, which differ from Go's in the
 * last bit): exact for powers of two.
 */
function log2(x: number): number {
  const [fraction, exponent] = frexp(x);
  return fraction === 0.5 ? exponent - 1 : Math.log(fraction) * Math.LOG2E + exponent;
}

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
  log2: eachValue(log2),
  log10: eachValue((v) => Math.log(v) * Math.LOG10E),
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
