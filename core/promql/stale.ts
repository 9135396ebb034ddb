import { STALE_NAN_BITS } from './types.js';

const scratch = new Float64Array(1);
const scratchBits = new BigUint64Array(scratch.buffer);
scratchBits[0] = STALE_NAN_BITS;

/** Prometheus's staleness marker as a number; keep it in objects or Float64Arrays to keep its bits. */
export const STALE_NAN: number = scratch[0] as number;

/** V8 sets the quiet bit when a signalling NaN lands in a plain double array; the payload stays. */
const QUIET_BIT = 0x0008000000000000n;

/** True for a staleness marker (value.IsStaleNaN), also once V8 has quietened it. */
export function isStaleNaN(v: number): boolean {
  if (!Number.isNaN(v)) return false;
  scratch[0] = v;
  return ((scratchBits[0] as bigint) & ~QUIET_BIT) === STALE_NAN_BITS;
}
