import type { Sample } from '../types.js';
import { vectorArg } from './arguments.js';
import type { Call, Calls } from './call.js';

/**
 * A date function: of each sample's value read as whole seconds since the epoch (UTC), or, without an
 * argument, of the evaluation time (as `vector(time())`, with empty labels).
 */
function dateFunction(part: (date: Date) => number): Call {
  return (args, ctx) => {
    if (args.length === 0)
      return [{ labels: {}, t: ctx.t, v: part(new Date(Math.trunc(ctx.t / 1000) * 1000)) }];
    return vectorArg(args, 0).map(
      (s): Sample => ({ labels: s.labels, t: ctx.t, v: part(new Date(Math.trunc(s.v) * 1000)) }),
    );
  };
}

const DAY_MS = 86_400_000;

export const DATE: Calls = {
  year: dateFunction((d) => d.getUTCFullYear()),
  month: dateFunction((d) => d.getUTCMonth() + 1),
  day_of_month: dateFunction((d) => d.getUTCDate()),
  day_of_week: dateFunction((d) => d.getUTCDay()),
  day_of_year: dateFunction(
    (d) => Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / DAY_MS) + 1,
  ),
  days_in_month: dateFunction((d) =>
    new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate(),
  ),
  hour: dateFunction((d) => d.getUTCHours()),
  minute: dateFunction((d) => d.getUTCMinutes()),
};
