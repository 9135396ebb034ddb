import type { Argument, CallContext, FunctionDef, Point, Sample } from '../types.js';
import { matrixArg, vectorArg } from './arguments.js';

export type Call = FunctionDef['call'];
export type Calls = Readonly<Record<string, Call>>;

/** A function of each sample's value (Prometheus's simpleFloatFunc). */
export function eachValue(f: (v: number) => number): Call {
  return (args, ctx) => vectorArg(args, 0).map((s): Sample => ({ labels: s.labels, t: ctx.t, v: f(s.v) }));
}

/** A scalar-returning function's one sample. */
export function scalarResult(t: number, v: number): Sample[] {
  return [{ labels: {}, t, v }];
}

/** A range-vector function: one result per series that has points in the window, `undefined` for none. */
export function eachSeries(
  f: (points: readonly Point[], args: readonly Argument[], ctx: CallContext) => number | undefined,
  matrixIndex = 0,
): Call {
  return (args, ctx) => {
    const out: Sample[] = [];
    for (const series of matrixArg(args, matrixIndex)) {
      if (series.points.length === 0) continue;
      const v = f(series.points, args, ctx);
      if (v !== undefined) out.push({ labels: series.labels, t: ctx.t, v });
    }
    return out;
  };
}
