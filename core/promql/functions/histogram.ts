import { labelsKey } from '../labels.js';
import type { Labels, Sample } from '../types.js';
import { scalarArg, vectorArg } from './arguments.js';
import { type Bucket, bucketFraction, bucketQuantile } from './buckets.js';
import type { Calls } from './call.js';
import { parseGoFloat } from './go-float.js';

/** A bucket series' histogram: its labels but `le`, their key, and its upper bound (undefined: not a number). */
interface BucketOf {
  readonly labels: Labels;
  readonly key: string;
  readonly upperBound: number | undefined;
}

/** By bucket label set: rules read the same series objects every cycle, so each is split once. */
const bucketOf = new WeakMap<Labels, BucketOf>();

function bucketLabels(labels: Labels): BucketOf {
  let b = bucketOf.get(labels);
  if (!b) {
    const { le, ...rest } = labels;
    b = { labels: rest, key: labelsKey(rest), upperBound: parseGoFloat(le ?? '') };
    bucketOf.set(labels, b);
  }
  return b;
}

interface Histogram {
  readonly labels: Labels;
  /** Sorted in place by bucketQuantile/bucketFraction, which only read them otherwise. */
  readonly buckets: Bucket[];
}

/** By input vector: histogram_quantile(0.5, v) and (0.9, v) of one rate's result group it once. */
const grouped = new WeakMap<readonly Sample[], readonly Histogram[]>();

/**
 * The classic histograms in a vector: its `_bucket` samples grouped by all labels but `le` (the metric
 * name included, so two histograms never mix). A sample whose `le` is not a number is left out, as in
 * Prometheus (which only warns).
 */
function classicHistograms(samples: readonly Sample[]): readonly Histogram[] {
  const known = grouped.get(samples);
  if (known) return known;
  const histograms = new Map<string, Histogram>();
  for (const s of samples) {
    const { labels, key, upperBound } = bucketLabels(s.labels);
    if (upperBound === undefined) continue;
    let histogram = histograms.get(key);
    if (!histogram) {
      histogram = { labels, buckets: [] };
      histograms.set(key, histogram);
    }
    histogram.buckets.push({ upperBound, count: s.v });
  }
  const out = [...histograms.values()];
  grouped.set(samples, out);
  return out;
}

export const HISTOGRAM: Calls = {
  histogram_quantile: (args, ctx) => {
    const q = scalarArg(args, 0);
    return classicHistograms(vectorArg(args, 1)).map(
      (h): Sample => ({ labels: h.labels, t: ctx.t, v: bucketQuantile(q, h.buckets) }),
    );
  },
  histogram_fraction: (args, ctx) => {
    const [lower, upper] = [scalarArg(args, 0), scalarArg(args, 1)];
    return classicHistograms(vectorArg(args, 2)).map(
      (h): Sample => ({ labels: h.labels, t: ctx.t, v: bucketFraction(lower, upper, h.buckets) }),
    );
  },
};
