/** A running Kahan-Neumaier sum (Prometheus's kahansum.Inc); the total is `sum + c`. */
export interface KahanSum {
  sum: number;
  c: number;
}

/** Adds `inc` in place; an infinite sum resets the compensation, as Prometheus does. */
export function kahanAdd(s: KahanSum, inc: number): void {
  const t = s.sum + inc;
  if (t === Number.POSITIVE_INFINITY || t === Number.NEGATIVE_INFINITY) s.c = 0;
  else if (Math.abs(s.sum) >= Math.abs(inc)) s.c += s.sum - t + inc;
  else s.c += inc - t + s.sum;
  s.sum = t;
}
