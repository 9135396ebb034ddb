import { labelsKey } from '../labels.js';
import type { Labels, Sample } from '../types.js';
import { scalarArg, vectorArg } from './arguments.js';
import { type Bucket, bucketFraction, bucketQuantile } from './buckets.js';
import type { Calls } from './call.js';
import { parseGoFloat } from './go-float.js';

/**
 * The classic histograms in a vector: its `_bucket` samples grouped by all labels but `le` (the metric
 * name included, so two histograms never mix). A sample whose `le` is not a number is left out, as in
 * Prometheus (which only warns).
 */
function classicHistograms(samples: readonly Sample[]): Map<string, { labels: Labels; buckets: Bucket[] }> {
  const histograms = new Map<string, { labels: Labels; buckets: Bucket[] }>();
  for (const s of samples) {
    const upperBound = parseGoFloat(s.labels.le ?? '');
    if (upperBound === undefined) continue;
    const { le: _le, ...labels } = s.labels;
    const key = labelsKey(labels);
    let histogram = histograms.get(key);
    if (!histogram) {
      histogram = { labels, buckets: [] };
      histograms.set(key, histogram);
    }
    histogram.buckets.push({ upperBound, count: s.v });
  }
  return histograms;
}

export const HISTOGRAM: Calls = {
  histogram_quantile: (args, ctx) => {
    const q = scalarArg(args, 0);
    return [...classicHistograms(vectorArg(args, 1)).values()].map(
      (h): Sample => ({ labels: h.labels, t: ctx.t, v: bucketQuantile(q, h.buckets) }),
    );
  },
  histogram_fraction: (args, ctx) => {
    const [lower, upper] = [scalarArg(args, 0), scalarArg(args, 1)];
    return [...classicHistograms(vectorArg(args, 2)).values()].map(
      (h): Sample => ({ labels: h.labels, t: ctx.t, v: bucketFraction(lower, upper, h.buckets) }),
    );
  },
};
