import { formatLabels, labelsKey } from '../labels.js';
import type { Labels } from '../types.js';
import { PromqlEvalError } from './errors.js';
import type { Elem } from './values.js';

/** The labels Prometheus drops with the name: the metric's name, type and unit (schema metadata). */
const METADATA_LABELS = ['__name__', '__type__', '__unit__'];

/** Names already dropped, by label set: the same result object each cycle keeps labelsKey's cache warm. */
const unnamed = new WeakMap<Labels, Labels>();

export function withoutName(labels: Labels): Labels {
  if (!('__name__' in labels || '__type__' in labels || '__unit__' in labels)) return labels;
  let out = unnamed.get(labels);
  if (!out) {
    const copy: Record<string, string> = { ...labels };
    for (const name of METADATA_LABELS) delete copy[name];
    out = copy;
    unnamed.set(labels, out);
  }
  return out;
}

/** A sample whose value changed: its name goes now, or is only marked with delayed name removal. */
export function changed(e: Elem, v: number, t: number, delayed: boolean): Elem {
  return { labels: delayed ? e.labels : withoutName(e.labels), t, v, dropName: true };
}

/**
 * Whether dropping names could make two of these (distinct) label sets equal: only when they do
 * not all share one name, type and unit. Every vector the evaluator builds has distinct label sets,
 * so where all share them the check below can be skipped (10k series every rule cycle).
 */
export function namesDiffer(items: readonly { readonly labels: Labels }[]): boolean {
  const first = items[0]?.labels;
  if (!first) return false;
  for (const { labels } of items)
    if (
      labels.__name__ !== first.__name__ ||
      labels.__type__ !== first.__type__ ||
      labels.__unit__ !== first.__unit__
    )
      return true;
  return false;
}

export const DUPLICATE_LABELSET = 'vector cannot contain metrics with the same labelset';

/** Prometheus refuses an instant vector holding one label set twice. */
export function assertUniqueLabelsets(samples: readonly { readonly labels: Labels }[]): void {
  if (samples.length < 2) return;
  const seen = new Set<string>();
  for (const s of samples) {
    const key = labelsKey(s.labels);
    if (seen.has(key)) throw new PromqlEvalError(DUPLICATE_LABELSET, { cause: formatLabels(s.labels) });
    seen.add(key);
  }
}
