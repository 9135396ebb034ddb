import type { Sample } from '../types.js';
import { vectorArg } from './arguments.js';
import type { Call, Calls } from './call.js';

/** Orders by value with NaN last either way, as Prometheus's sort and sort_desc; labels are kept. */
function sortBy(direction: 1 | -1): Call {
  return (args, ctx) =>
    vectorArg(args, 0)
      .map((s): Sample => ({ labels: s.labels, t: ctx.t, v: s.v }))
      .sort((a, b) => {
        if (Number.isNaN(a.v)) return Number.isNaN(b.v) ? 0 : 1;
        if (Number.isNaN(b.v)) return -1;
        return direction * (a.v - b.v);
      });
}

export const SORT: Calls = {
  sort: sortBy(1),
  sort_desc: sortBy(-1),
};
