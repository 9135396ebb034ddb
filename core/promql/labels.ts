import type { Labels } from './types.js';

/** The lowest character, so comparing keys orders label sets as Prometheus's labels.Compare does. */
const SEP = '\x00';

/** Keys already built: label sets are immutable and the same objects come back every rule cycle. */
const keys = new WeakMap<Labels, string>();

/**
 * A string naming a label set: the same for equal sets whatever the key order; comparing two keys
 * orders their label sets as Prometheus sorts series (labels.Compare).
 */
export function labelsKey(labels: Labels): string {
  let key = keys.get(labels);
  if (key === undefined) {
    key = '';
    for (const name of Object.keys(labels).sort()) key += `${name}${SEP}${labels[name]}${SEP}`;
    keys.set(labels, key);
  }
  return key;
}

/** Orders series as Prometheus returns them: by label set (labels.Compare). */
export function byLabels(a: { readonly labels: Labels }, b: { readonly labels: Labels }): number {
  const x = labelsKey(a.labels);
  const y = labelsKey(b.labels);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Labels as Prometheus's error messages print them (labels.String): `{__name__="up", job="api"}`. */
export function formatLabels(labels: Labels): string {
  const pairs = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`);
  return `{${pairs.join(', ')}}`;
}
