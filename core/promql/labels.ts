import type { Labels } from './types.js';

const SEP = '\xff';

/** Keys already built: label sets are immutable and the same objects come back every rule cycle. */
const keys = new WeakMap<Labels, string>();

/** A string naming a label set: the same for equal sets whatever the key order. */
export function labelsKey(labels: Labels): string {
  let key = keys.get(labels);
  if (key === undefined) {
    key = '';
    for (const name of Object.keys(labels).sort()) key += `${name}${SEP}${labels[name]}${SEP}`;
    keys.set(labels, key);
  }
  return key;
}

/** Labels as Prometheus's error messages print them (labels.String): `{__name__="up", job="api"}`. */
export function formatLabels(labels: Labels): string {
  const pairs = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`);
  return `{${pairs.join(', ')}}`;
}
