import type { Sample } from '../types.js';
import { scalarArg, vectorArg } from './arguments.js';
import { type Calls, scalarResult } from './call.js';

export const TIME: Calls = {
  time: (_args, ctx) => scalarResult(ctx.t, ctx.t / 1000),
  // The sample's own time: a selector's samples carry the time they were written at, not the step's.
  timestamp: (args, ctx) =>
    vectorArg(args, 0).map((s): Sample => ({ labels: s.labels, t: ctx.t, v: s.t / 1000 })),
  vector: (args, ctx) => [{ labels: {}, t: ctx.t, v: scalarArg(args, 0) }],
  // One sample's value; NaN for none or several.
  scalar: (args, ctx) => {
    const samples = vectorArg(args, 0);
    return scalarResult(ctx.t, samples.length === 1 ? (samples[0] as Sample).v : Number.NaN);
  },
};
