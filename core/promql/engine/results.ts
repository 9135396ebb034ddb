import { byLabels, labelsKey } from '../labels.js';
import type { Labels, Point, Sample, Series } from '../types.js';
import { PromqlEvalError } from './errors.js';
import { assertUniqueLabelsets, DUPLICATE_LABELSET, withoutName } from './names.js';
import type { Elem, ElemSeries } from './values.js';

/** The query's instant vector: pending name removals done, every sample at the evaluation time. */
export function finishVector(samples: readonly Elem[], t: number, delayed: boolean): Sample[] {
  const out = samples.map((s) => ({
    labels: delayed && s.dropName ? withoutName(s.labels) : s.labels,
    t,
    v: s.v,
  }));
  if (delayed) assertUniqueLabelsets(out);
  return out;
}

/**
 * The query's matrix: pending name removals done, series left with the same labels merged (an
 * error if both have a point at one time), sorted by labels as Prometheus sorts them.
 */
export function finishMatrix(series: readonly ElemSeries[], delayed: boolean): Series[] {
  const merged = new Map<string, { labels: Labels; points: Point[] }>();
  for (const s of series) {
    const labels = delayed && s.dropName ? withoutName(s.labels) : s.labels;
    const key = labelsKey(labels);
    const into = merged.get(key);
    if (!into) {
      merged.set(key, { labels, points: [...s.points] });
      continue;
    }
    into.points.push(...s.points);
    into.points.sort((a, b) => a.t - b.t);
    for (let i = 1; i < into.points.length; i++)
      if ((into.points[i] as Point).t === (into.points[i - 1] as Point).t)
        throw new PromqlEvalError(DUPLICATE_LABELSET);
  }
  return [...merged.values()].sort(byLabels);
}
