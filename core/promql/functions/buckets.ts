/** One bucket of a classic histogram: the `le` upper bound and its cumulative count. */
export interface Bucket {
  upperBound: number;
  count: number;
}

/** Relative differences below this between neighbouring buckets are float noise, as Prometheus's smallDeltaTolerance. */
const SMALL_DELTA_TOLERANCE = 1e-12;
const MIN_NORMAL = 2.2250738585072014e-308;

/** Prometheus's util/almost.Equal (staleness markers never reach a bucket count). */
function almostEqual(a: number, b: number, epsilon: number): boolean {
  if (Number.isNaN(a) && Number.isNaN(b)) return true;
  if (a === b) return true;
  const absSum = Math.abs(a) + Math.abs(b);
  const diff = Math.abs(a - b);
  if (a === 0 || b === 0 || absSum < MIN_NORMAL) return diff < epsilon * MIN_NORMAL;
  return diff / Math.min(absSum, Number.MAX_VALUE) < epsilon;
}

/** Sorted by upper bound with equal bounds merged; undefined when the highest bound is not +Inf. */
export function sortedBuckets(buckets: Bucket[]): Bucket[] | undefined {
  buckets.sort((a, b) => (a.upperBound < b.upperBound ? -1 : a.upperBound > b.upperBound ? 1 : 0));
  if ((buckets[buckets.length - 1] as Bucket).upperBound !== Number.POSITIVE_INFINITY) return undefined;
  const merged: Bucket[] = [];
  for (const b of buckets) {
    const last = merged[merged.length - 1];
    if (last && last.upperBound === b.upperBound) last.count += b.count;
    else merged.push({ ...b });
  }
  return merged;
}

/**
 * Makes the counts non-decreasing as Prometheus's ensureMonotonicAndIgnoreSmallDeltas: differences that
 * are float noise are ignored in either direction, and any real decrease is raised to the count before.
 */
function ensureMonotonic(buckets: Bucket[]): void {
  let previous = (buckets[0] as Bucket).count;
  for (let i = 1; i < buckets.length; i++) {
    const bucket = buckets[i] as Bucket;
    if (bucket.count === previous) continue;
    if (almostEqual(previous, bucket.count, SMALL_DELTA_TOLERANCE) || bucket.count < previous) {
      bucket.count = previous;
      continue;
    }
    previous = bucket.count;
  }
}

/**
 * histogram_quantile on classic buckets as Prometheus's BucketQuantile: linear interpolation inside
 * the bucket the rank falls in, from 0 for a first bucket with a positive bound; the second highest
 * bound when the rank is in the +Inf bucket; NaN without a +Inf bucket, with fewer than two buckets or
 * no observations; -Inf for q < 0 and +Inf for q > 1.
 */
export function bucketQuantile(q: number, input: Bucket[]): number {
  if (Number.isNaN(q)) return Number.NaN;
  if (q < 0) return Number.NEGATIVE_INFINITY;
  if (q > 1) return Number.POSITIVE_INFINITY;
  const buckets = sortedBuckets(input);
  if (!buckets) return Number.NaN;
  ensureMonotonic(buckets);
  if (buckets.length < 2) return Number.NaN;
  const observations = (buckets[buckets.length - 1] as Bucket).count;
  if (observations === 0) return Number.NaN;
  let rank = q * observations;
  const b = search(buckets.length - 1, (i) => (buckets[i] as Bucket).count >= rank);
  if (b === buckets.length - 1) return (buckets[buckets.length - 2] as Bucket).upperBound;
  const bucket = buckets[b] as Bucket;
  if (b === 0 && bucket.upperBound <= 0) return bucket.upperBound;
  let bucketStart = 0;
  let count = bucket.count;
  if (b > 0) {
    const below = buckets[b - 1] as Bucket;
    bucketStart = below.upperBound;
    count -= below.count;
    rank -= below.count;
  }
  return bucketStart + (bucket.upperBound - bucketStart) * (rank / count);
}

/**
 * histogram_fraction on classic buckets as Prometheus's BucketFraction: the share of observations
 * between `lower` and `upper`, interpolating linearly inside buckets (nothing of an infinite-width one).
 */
export function bucketFraction(lower: number, upper: number, input: Bucket[]): number {
  const buckets = sortedBuckets(input);
  if (!buckets) return Number.NaN;
  const count = (buckets[buckets.length - 1] as Bucket).count;
  if (count === 0 || Number.isNaN(lower) || Number.isNaN(upper)) return Number.NaN;
  if (lower >= upper) return 0;
  let rank = 0;
  let lowerRank: number | undefined;
  let upperRank: number | undefined;
  let lowerBound = (buckets[0] as Bucket).upperBound <= 0 ? Number.NEGATIVE_INFINITY : 0;
  for (let i = 0; i < buckets.length; i++) {
    const b = buckets[i] as Bucket;
    if (i > 0) lowerBound = (buckets[i - 1] as Bucket).upperBound;
    const upperBound = b.upperBound;
    const interpolate = (v: number) =>
      lowerBound === Number.NEGATIVE_INFINITY
        ? b.count
        : rank + ((b.count - rank) * (v - lowerBound)) / (upperBound - lowerBound);
    if (lowerRank === undefined && lowerBound >= lower) lowerRank = rank;
    if (upperRank === undefined && lowerBound >= upper) upperRank = rank;
    if (lowerRank !== undefined && upperRank !== undefined) break;
    if (lowerRank === undefined && lowerBound < lower && upperBound > lower) lowerRank = interpolate(lower);
    if (upperRank === undefined && lowerBound < upper && upperBound > upper) upperRank = interpolate(upper);
    if (lowerRank !== undefined && upperRank !== undefined) break;
    rank = b.count;
  }
  if (lowerRank === undefined || lowerRank > count) lowerRank = count;
  if (upperRank === undefined || upperRank > count) upperRank = count;
  return (upperRank - lowerRank) / count;
}

/** Go's sort.Search: the first i in [0, n) where `isAtOrAfter` holds, n if none (a binary search, as Prometheus). */
function search(n: number, isAtOrAfter: (i: number) => boolean): number {
  let [i, j] = [0, n];
  while (i < j) {
    const h = (i + j) >>> 1;
    if (isAtOrAfter(h)) j = h;
    else i = h + 1;
  }
  return i;
}
