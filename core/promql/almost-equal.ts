/** The smallest positive normal float64 (Go's math.SmallestNonzeroFloat64 is subnormal; this is not). */
const MIN_NORMAL = 2.2250738585072014e-308;

/**
 * Prometheus's util/almost.Equal: a relative difference below `epsilon`, NaN equal to NaN, and near
 * zero an absolute difference below epsilon times the smallest normal float.
 */
export function almostEqual(a: number, b: number, epsilon: number): boolean {
  if (Number.isNaN(a) && Number.isNaN(b)) return true;
  if (a === b) return true;
  const absSum = Math.abs(a) + Math.abs(b);
  const diff = Math.abs(a - b);
  if (a === 0 || b === 0 || absSum < MIN_NORMAL) return diff < epsilon * MIN_NORMAL;
  return diff / Math.min(absSum, Number.MAX_VALUE) < epsilon;
}
