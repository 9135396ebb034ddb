import type { Labels } from './types.js';

const SEP = '\xff';

/** A string naming a label set: the same for equal sets whatever the key order. */
export function labelsKey(labels: Labels): string {
  const names = Object.keys(labels).sort();
  let key = '';
  for (const name of names) key += `${name}${SEP}${labels[name]}${SEP}`;
  return key;
}

/** Labels as Prometheus's error messages print them (labels.String): `{__name__="up", job="api"}`. */
export function formatLabels(labels: Labels): string {
  const pairs = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`);
  return `{${pairs.join(', ')}}`;
}
